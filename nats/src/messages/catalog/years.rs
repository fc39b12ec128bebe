//! `year_from` / `year_to`: one meaning everywhere (subjects.md, catalog).

/// The years `year_from` and `year_to` bound, lowest first: both bounds are
/// inclusive and their order does not matter (`album.list` `by_year` reads
/// `year_from > year_to` as "newest first"; the range is the same). Either
/// may be absent (no bound on that side). Catalog lists and search filters
/// read them through this.
pub fn year_range(from: Option<i32>, to: Option<i32>) -> (Option<i32>, Option<i32>) {
    match (from, to) {
        (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::year_range;

    #[test]
    fn year_bounds_in_either_order_name_one_range() {
        assert_eq!(year_range(Some(2010), Some(1990)), (Some(1990), Some(2010)));
        assert_eq!(year_range(Some(1990), Some(2010)), (Some(1990), Some(2010)));
        assert_eq!(year_range(Some(2010), None), (Some(2010), None));
        assert_eq!(year_range(None, Some(1990)), (None, Some(1990)));
    }
}
