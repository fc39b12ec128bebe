//! chorus-catalog
