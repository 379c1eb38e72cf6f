//! Compensated (Neumaier) summation.

/// A running sum with Neumaier's compensation: the rounding error of every
/// addition is kept in `comp`, so the result is accurate to about one ulp of
/// the result plus `n·ε²·Σ|x|`, whatever the order and signs of the terms.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds another compensated sum (both of its parts).
    #[inline]
    pub(crate) fn add_sum(&mut self, other: &Neumaier) {
        self.add(other.sum);
        self.add(other.comp);
    }

    #[inline]
    pub(crate) fn value(&self) -> f64 {
        self.sum + self.comp
    }
}
