//! `where`: elementwise choice between two tensors by a boolean condition.

use crate::cpu::strided::for_each_row;
use crate::dtype::{DType, Element};
use crate::layout::coalesce;
use crate::ops::index::{check_same_device, fill_rows};
use crate::shape::Shape;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// `input` where `condition` is true and `other` elsewhere (`torch.where(condition, input,
    /// other)`; `where` is a Rust keyword, hence the underscore).
    ///
    /// All three broadcast together; `condition` must be bool; the result has the promoted
    /// dtype of `input` and `other` (`torch.result_type`). Panics naming the three shapes when
    /// they do not broadcast, and when `condition` is not bool.
    pub fn where_(condition: &Tensor, input: &Tensor, other: &Tensor) -> Tensor {
        check_same_device("where", &[condition, input, other]);
        assert_eq!(
            condition.dtype(),
            DType::Bool,
            "where: expected condition to be a boolean tensor, but got a tensor with dtype {}",
            condition.dtype()
        );
        let shape = Shape::broadcast(condition.shape(), input.shape())
            .and_then(|s| Shape::broadcast(&s, other.shape()))
            .unwrap_or_else(|| {
                panic!(
                    "where: the shapes {} (condition), {} (input) and {} (other) cannot be broadcast together",
                    condition.shape(),
                    input.shape(),
                    other.shape()
                )
            });
        let dtype = DType::promote(input.dtype(), other.dtype());
        let (a, b) = (input.to_dtype(dtype), other.to_dtype(dtype));
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::where_(condition, &a, &b, &shape) {
            return out;
        }
        with_dtype!(dtype, T, { where_cpu::<T>(condition, &a, &b, shape) })
    }
}

/// CPU kernel: a three-operand broadcasting pass, rows of the coalesced innermost dim.
fn where_cpu<T: Element>(condition: &Tensor, a: &Tensor, b: &Tensor, shape: Shape) -> Tensor {
    let (c, lc) = condition.typed::<bool>("where");
    let (x, la) = a.typed::<T>("where");
    let (y, lb) = b.typed::<T>("where");
    let [lc, la, lb] = [lc, la, lb].map(|l| l.broadcast_to(&shape).expect("checked broadcast"));
    let mut out = vec![T::default(); shape.numel()];
    let Some((dims, strides)) = coalesce(shape.dims(), &[lc.strides(), la.strides(), lb.strides()])
    else {
        out[0] = if c[lc.offset()] {
            x[la.offset()]
        } else {
            y[lb.offset()]
        };
        return Tensor::from_vec(out, shape);
    };
    let n = dims.len() - 1;
    let (row_len, outer) = (dims[n], &dims[..n]);
    let (sc, sa, sb) = (strides[0][n], strides[1][n], strides[2][n]);
    let outer_strides = [&strides[0][..n], &strides[1][..n], &strides[2][..n]];
    let bases = [lc.offset(), la.offset(), lb.offset()];
    fill_rows(&mut out, row_len, |rows, chunk| {
        let first = rows.start;
        for_each_row(outer, outer_strides, bases, rows, |r, [pc, pa, pb]| {
            let dst = &mut chunk[(r - first) * row_len..][..row_len];
            for (j, o) in dst.iter_mut().enumerate() {
                *o = if c[pc + j * sc] {
                    x[pa + j * sa]
                } else {
                    y[pb + j * sb]
                };
            }
        });
    });
    Tensor::from_vec(out, shape)
}
