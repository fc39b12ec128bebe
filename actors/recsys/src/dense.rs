//! Dense symmetric positive-definite algebra, hand-written: EASE inverts one
//! Gram matrix and ALS solves small `k × k` systems, neither of which needs
//! a BLAS.

use crate::parallel;

/// A square `f64` matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dense {
    n: usize,
    data: Vec<f64>,
}

/// The matrix was not positive definite (a pivot was not positive).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("matrix is not positive definite (pivot {pivot})")]
pub(crate) struct NotPositiveDefinite {
    pivot: usize,
}

impl Dense {
    pub(crate) fn zeros(n: usize) -> Self {
        Self { n, data: vec![0.0; n * n] }
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }

    pub(crate) fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.n..(i + 1) * self.n]
    }

    pub(crate) fn add(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] += value;
    }

    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    /// Factors `A = L·Lᵀ` in place, reading only the lower triangle.
    ///
    /// Row-oriented so each inner step is a dot product of two contiguous
    /// row prefixes, which is what the hardware streams fastest.
    pub(crate) fn cholesky(mut self) -> Result<Cholesky, NotPositiveDefinite> {
        let n = self.n;
        for i in 0..n {
            let (done, rest) = self.data.split_at_mut(i * n);
            let row_i = &mut rest[..n];
            for j in 0..i {
                let row_j = &done[j * n..j * n + n];
                row_i[j] = (row_i[j] - dot(&row_i[..j], &row_j[..j])) / row_j[j];
            }
            let pivot = row_i[i] - dot(&row_i[..i], &row_i[..i]);
            if !(pivot > 0.0 && pivot.is_finite()) {
                return Err(NotPositiveDefinite { pivot: i });
            }
            row_i[i] = pivot.sqrt();
        }
        Ok(Cholesky { l: self })
    }
}

/// The lower factor `L` of a positive-definite `A = L·Lᵀ`.
#[derive(Debug, Clone)]
pub(crate) struct Cholesky {
    l: Dense,
}

impl Cholesky {
    /// Solves `A·x = b`, overwriting `b` with `x`.
    pub(crate) fn solve(&self, b: &mut [f64]) {
        let n = self.l.n;
        for i in 0..n {
            let row = self.l.row(i);
            b[i] = (b[i] - dot(&row[..i], &b[..i])) / row[i];
        }
        for i in (0..n).rev() {
            let mut s = b[i];
            for (k, &bk) in b.iter().enumerate().skip(i + 1) {
                s -= self.l.get(k, i) * bk;
            }
            b[i] = s / self.l.get(i, i);
        }
    }

    /// `A⁻¹`, on all cores: `A⁻¹ = L⁻ᵀ·L⁻¹`.
    pub(crate) fn inverse(&self) -> Dense {
        let n = self.l.n;
        let l = &self.l;
        // Column c of L⁻¹ is zero above c; keep only its tail c..n.
        let columns: Vec<Vec<f64>> = parallel::map_rows(
            n,
            || (),
            |c, _| {
                let mut x = vec![0.0; n - c];
                x[0] = 1.0 / l.get(c, c);
                for k in c + 1..n {
                    let row = &l.row(k)[c..k];
                    x[k - c] = -dot(row, &x[..k - c]) / l.get(k, k);
                }
                x
            },
        );
        // (A⁻¹)[a][b] = Σ_{k ≥ max(a,b)} L⁻¹[k][a]·L⁻¹[k][b]: the upper triangle, row by row.
        let upper: Vec<Vec<f64>> = parallel::map_rows(
            n,
            || (),
            |a, _| {
                let col_a = &columns[a];
                (a..n).map(|b| dot(&col_a[b - a..], &columns[b])).collect()
            },
        );
        let mut out = Dense::zeros(n);
        for (a, row) in upper.into_iter().enumerate() {
            for (offset, value) in row.into_iter().enumerate() {
                let b = a + offset;
                out.data[a * n + b] = value;
                out.data[b * n + a] = value;
            }
        }
        out
    }
}

/// A dot product with four independent sums, so the compiler can keep
/// several multiply-adds in flight (it may not reorder one float sum).
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0f64; 4];
    let chunks = n / 4;
    for c in 0..chunks {
        let i = c * 4;
        sums[0] += a[i] * b[i];
        sums[1] += a[i + 1] * b[i + 1];
        sums[2] += a[i + 2] * b[i + 2];
        sums[3] += a[i + 3] * b[i + 3];
    }
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for i in chunks * 4..n {
        total += a[i] * b[i];
    }
    total
}

/// The `f32` twin of [`dot`], for factor vectors.
pub(crate) fn dot32(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0f32; 8];
    let chunks = n / 8;
    for c in 0..chunks {
        let i = c * 8;
        for lane in 0..8 {
            sums[lane] += a[i + lane] * b[i + lane];
        }
    }
    let mut total: f32 = sums.iter().sum();
    for i in chunks * 8..n {
        total += a[i] * b[i];
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd(n: usize) -> Dense {
        // A = Mᵀ·M + I for a fixed M is positive definite.
        let m: Vec<f64> = (0..n * n).map(|k| ((k * 7919 % 31) as f64 - 15.0) / 10.0).collect();
        let mut a = Dense::zeros(n);
        for i in 0..n {
            for j in 0..n {
                let v: f64 = (0..n).map(|k| m[k * n + i] * m[k * n + j]).sum();
                a.add(i, j, v + if i == j { 1.0 } else { 0.0 });
            }
        }
        a
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = spd(37);
        let inv = a.clone().cholesky().unwrap().inverse();
        for i in 0..37 {
            for j in 0..37 {
                let v: f64 = (0..37).map(|k| a.get(i, k) * inv.get(k, j)).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((v - want).abs() < 1e-8, "({i},{j}) = {v}");
            }
        }
    }

    #[test]
    fn solve_inverts_a_product() {
        let a = spd(9);
        let x: Vec<f64> = (0..9).map(|i| i as f64 - 4.0).collect();
        let mut b: Vec<f64> = (0..9).map(|i| (0..9).map(|k| a.get(i, k) * x[k]).sum()).collect();
        a.cholesky().unwrap().solve(&mut b);
        for (got, want) in b.iter().zip(&x) {
            assert!((got - want).abs() < 1e-9);
        }
    }

    #[test]
    fn indefinite_matrix_is_refused() {
        let mut a = Dense::zeros(2);
        a.add(0, 0, 1.0);
        a.add(1, 1, -1.0);
        assert!(a.cholesky().is_err());
    }
}
