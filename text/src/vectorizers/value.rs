//! Element types of the output matrices: scikit-learn's `dtype` parameter.
//!
//! `CountVectorizer` defaults to `np.int64` and `TfidfVectorizer` to
//! `np.float64`; Kiln picks the dtype with the output type parameter, e.g.
//! `CsrMatrix<f32>`.

/// A type that can hold token counts (`CountVectorizer`'s `dtype`).
pub trait CountValue: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// The zero used by [`crate::vectorizers::CsrMatrix::to_dense`].
    const ZERO: Self;
    /// Converts a count (saturating for narrow integer types).
    fn from_count(count: u32) -> Self;
}

/// A floating-point type for TF-IDF weights (`TfidfVectorizer`'s `dtype`:
/// `np.float64` or `np.float32`). Arithmetic happens in this type, as numpy does.
pub trait FloatValue:
    CountValue + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self>
{
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// `self + 1`.
    fn plus_one(self) -> Self;
    /// Widens to `f64` (for the row-norm accumulator, which is `double` in scikit-learn).
    fn to_f64(self) -> f64;
    /// Rounds an `f64` to this type.
    fn from_f64(v: f64) -> Self;
}

impl CountValue for i32 {
    const ZERO: Self = 0;
    fn from_count(count: u32) -> Self {
        i32::try_from(count).unwrap_or(i32::MAX)
    }
}

impl CountValue for i64 {
    const ZERO: Self = 0;
    fn from_count(count: u32) -> Self {
        i64::from(count)
    }
}

impl CountValue for u32 {
    const ZERO: Self = 0;
    fn from_count(count: u32) -> Self {
        count
    }
}

impl CountValue for f32 {
    const ZERO: Self = 0.0;
    fn from_count(count: u32) -> Self {
        count as f32
    }
}

impl CountValue for f64 {
    const ZERO: Self = 0.0;
    fn from_count(count: u32) -> Self {
        f64::from(count)
    }
}

impl FloatValue for f32 {
    fn ln(self) -> Self {
        f32::ln(self)
    }
    fn plus_one(self) -> Self {
        self + 1.0
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl FloatValue for f64 {
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn plus_one(self) -> Self {
        self + 1.0
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(v: f64) -> Self {
        v
    }
}
