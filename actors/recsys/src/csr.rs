//! Compressed sparse rows: the one layout both sides of the play matrix use.

/// Rows of `(column, value)` pairs packed into three flat arrays, so a row
/// is two slices and walking every row touches memory in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    offsets: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
}

impl Csr {
    /// Packs `rows` rows from entries already grouped by row, in row order.
    pub(crate) fn from_sorted(rows: usize, entries: impl IntoIterator<Item = (u32, u32, f32)>) -> Self {
        let mut offsets = vec![0usize; rows + 1];
        let mut columns = Vec::new();
        let mut values = Vec::new();
        let mut current = 0usize;
        for (row, column, value) in entries {
            let row = row as usize;
            debug_assert!(row >= current, "entries must be grouped by row in order");
            while current < row {
                current += 1;
                offsets[current] = columns.len();
            }
            columns.push(column);
            values.push(value);
        }
        while current < rows {
            current += 1;
            offsets[current] = columns.len();
        }
        Self { offsets, columns, values }
    }

    /// The transpose, with each new row's columns ascending.
    pub(crate) fn transpose(&self, columns: usize) -> Self {
        let mut counts = vec![0usize; columns + 1];
        for &c in &self.columns {
            counts[c as usize + 1] += 1;
        }
        for c in 0..columns {
            counts[c + 1] += counts[c];
        }
        let offsets = counts.clone();
        let mut next = counts;
        let mut out_columns = vec![0u32; self.columns.len()];
        let mut out_values = vec![0f32; self.values.len()];
        for row in 0..self.rows() {
            let (cols, vals) = self.row(row);
            for (&c, &v) in cols.iter().zip(vals) {
                let slot = &mut next[c as usize];
                out_columns[*slot] = row as u32;
                out_values[*slot] = v;
                *slot += 1;
            }
        }
        Self { offsets, columns: out_columns, values: out_values }
    }

    pub(crate) fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn nnz(&self) -> usize {
        self.columns.len()
    }

    /// Row `row`'s columns and values, in stored order.
    pub(crate) fn row(&self, row: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[row]..self.offsets[row + 1];
        (&self.columns[range.clone()], &self.values[range])
    }

    /// The stored position range of row `row`, for arrays kept parallel to the values.
    pub(crate) fn range(&self, row: usize) -> std::ops::Range<usize> {
        self.offsets[row]..self.offsets[row + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns_with_empty_rows_kept() {
        let m = Csr::from_sorted(3, [(0, 2, 1.0), (0, 0, 2.0), (2, 1, 3.0)]);
        assert_eq!(m.row(1).0, &[] as &[u32]);
        let t = m.transpose(3);
        assert_eq!(t.row(0), (&[0u32][..], &[2.0f32][..]));
        assert_eq!(t.row(1), (&[2u32][..], &[3.0f32][..]));
        assert_eq!(t.row(2), (&[0u32][..], &[1.0f32][..]));
        assert_eq!(t.nnz(), 3);
    }
}
