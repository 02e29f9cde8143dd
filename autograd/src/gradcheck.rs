//! Finite-difference gradient checking (`torch.autograd.gradcheck`).

use std::fmt;

use kiln_tensor::{DType, Generator, Tensor};

use crate::no_grad::no_grad;
use crate::var::Var;

/// Step and tolerances for [`gradcheck`]; defaults equal `torch.autograd.gradcheck`'s
/// (`eps=1e-6, atol=1e-5, rtol=1e-3`), which assume f64.
#[derive(Clone, Copy, Debug)]
pub struct GradCheckOptions {
    /// Central-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (of the numerical value).
    pub rtol: f64,
}

impl Default for GradCheckOptions {
    fn default() -> Self {
        GradCheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// The first gradient entry where analytic and numerical derivatives disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckError {
    /// Which input (position in the `inputs` slice).
    pub input: usize,
    /// Flat (row-major) element index in that input.
    pub element: usize,
    /// Gradient from `backward`.
    pub analytic: f64,
    /// Gradient from central differences.
    pub numerical: f64,
}

impl fmt::Display for GradCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradcheck: input {} element {}: analytic {} vs numerical {}",
            self.input, self.element, self.analytic, self.numerical
        )
    }
}

impl std::error::Error for GradCheckError {}

/// Checks the gradients of `f` at `inputs` against central finite differences, in f64.
///
/// The output is reduced to a scalar with fixed pseudo-random weights, so every output element's
/// gradient path is exercised. Every input is differentiated.
pub fn gradcheck(
    f: impl Fn(&[Var]) -> Var,
    inputs: &[Tensor],
    options: GradCheckOptions,
) -> Result<(), GradCheckError> {
    let inputs: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.to_dtype(DType::F64).contiguous())
        .collect();
    let weights = {
        let _guard = no_grad();
        let probe: Vec<Var> = inputs.iter().cloned().map(Var::constant).collect();
        let shape = f(&probe).value().shape().clone();
        Tensor::rand_from(
            shape,
            DType::F64,
            &kiln_tensor::Device::Cpu,
            &mut Generator::new(0x6772_6164),
        )
    };
    let weighted = |out: &Var| out.mul(&Var::constant(weights.clone())).sum();

    let vars: Vec<Var> = inputs.iter().cloned().map(Var::parameter).collect();
    weighted(&f(&vars)).backward();

    let loss_at = |which: usize, element: usize, delta: f64| -> f64 {
        let _guard = no_grad();
        let shifted: Vec<Var> = inputs
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i != which {
                    return Var::constant(t.clone());
                }
                let mut data = t.to_vec::<f64>();
                data[element] += delta;
                Var::constant(Tensor::from_vec(data, t.shape().clone()))
            })
            .collect();
        weighted(&f(&shifted)).value().item::<f64>()
    };

    for (i, (var, t)) in vars.iter().zip(&inputs).enumerate() {
        let analytic = var
            .grad()
            .map(|g| g.to_vec::<f64>())
            .unwrap_or_else(|| vec![0.0; t.numel()]);
        for (element, &a) in analytic.iter().enumerate() {
            let numerical = (loss_at(i, element, options.eps) - loss_at(i, element, -options.eps))
                / (2.0 * options.eps);
            if (a - numerical).abs() > options.atol + options.rtol * numerical.abs() {
                return Err(GradCheckError {
                    input: i,
                    element,
                    analytic: a,
                    numerical,
                });
            }
        }
    }
    Ok(())
}
