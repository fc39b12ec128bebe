//! chorus-testkit
