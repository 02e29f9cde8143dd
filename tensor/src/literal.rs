//! Nested array literals for the [`tensor!`](crate::tensor!) macro.

use crate::dtype::Element;
use crate::tensor::Tensor;

/// A value that can appear in a tensor literal: a scalar or a (nested) array of them.
///
/// Integer literals become int64 and float literals float32, as in `torch.tensor`.
pub trait TensorLiteral {
    /// The Kiln element type the literal becomes.
    type Elem: Element;
    /// Appends the dims of this level (outermost first) to `shape`.
    fn shape_into(&self, shape: &mut Vec<usize>);
    /// Appends the elements in row-major order to `out`.
    fn flatten_into(&self, out: &mut Vec<Self::Elem>);
}

macro_rules! scalar_literal {
    ($t:ty => $e:ty) => {
        impl TensorLiteral for $t {
            type Elem = $e;
            fn shape_into(&self, _shape: &mut Vec<usize>) {}
            fn flatten_into(&self, out: &mut Vec<$e>) {
                out.push(<$e as Element>::from_f64(*self as f64));
            }
        }
    };
}

scalar_literal!(i32 => i64);
scalar_literal!(i64 => i64);
scalar_literal!(u8 => u8);
scalar_literal!(f32 => f32);
scalar_literal!(f64 => f32);

impl TensorLiteral for bool {
    type Elem = bool;
    fn shape_into(&self, _shape: &mut Vec<usize>) {}
    fn flatten_into(&self, out: &mut Vec<bool>) {
        out.push(*self);
    }
}

impl<L: TensorLiteral, const N: usize> TensorLiteral for [L; N] {
    type Elem = L::Elem;
    fn shape_into(&self, shape: &mut Vec<usize>) {
        shape.push(N);
        if let Some(first) = self.first() {
            first.shape_into(shape);
        }
    }
    fn flatten_into(&self, out: &mut Vec<L::Elem>) {
        for item in self {
            item.flatten_into(out);
        }
    }
}

impl Tensor {
    /// Builds a tensor from a nested array literal; used by [`tensor!`](crate::tensor!).
    pub fn from_literal<L: TensorLiteral>(literal: L) -> Tensor {
        let mut shape = Vec::new();
        literal.shape_into(&mut shape);
        let mut data = Vec::new();
        literal.flatten_into(&mut data);
        Tensor::from_vec(data, shape)
    }
}

/// Builds a tensor from nested literals, like `torch.tensor([[1, 1], [1, 0]])`.
///
/// Integers become int64, floats float32, booleans bool. The result has at least one dimension.
///
/// ```
/// use kiln_tensor::{tensor, DType};
/// let a = tensor![[1, 1], [1, 0]];
/// assert_eq!(a.dims(), &[2, 2]);
/// assert_eq!(a.dtype(), DType::I64);
/// let b = tensor![0.5, 1.5];
/// assert_eq!(b.dtype(), DType::F32);
/// ```
#[macro_export]
macro_rules! tensor {
    ($($elems:tt)*) => {
        $crate::Tensor::from_literal([$($elems)*])
    };
}
