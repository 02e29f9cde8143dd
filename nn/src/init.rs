//! Parameter initialisation in place, as `torch.nn.init` (values from Kiln's global generator,
//! seeded with `kiln_tensor::manual_seed`).

use kiln_autograd::Var;
use kiln_tensor::{Tensor, with_global_generator};

/// The nonlinearity a layer feeds, for [`calculate_gain`] (`nonlinearity=` in `torch.nn.init`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nonlinearity {
    /// Identity / linear / convolution layers: gain 1.
    Linear,
    /// `sigmoid`: gain 1.
    Sigmoid,
    /// `tanh`: gain 5/3.
    Tanh,
    /// `relu`: gain √2.
    Relu,
    /// `leaky_relu` with this negative slope: gain √(2 / (1 + slope²)).
    LeakyRelu(f64),
    /// `selu`: gain 3/4.
    Selu,
}

/// Which fan the variance is scaled by (`mode=` of the kaiming initialisers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanMode {
    /// Preserve the variance of the forward pass (`fan_in`, the default).
    FanIn,
    /// Preserve the variance of the backward pass (`fan_out`).
    FanOut,
}

/// The recommended gain for `nonlinearity` (`torch.nn.init.calculate_gain`).
pub fn calculate_gain(nonlinearity: Nonlinearity) -> f64 {
    match nonlinearity {
        Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
        Nonlinearity::Tanh => 5.0 / 3.0,
        Nonlinearity::Relu => 2f64.sqrt(),
        Nonlinearity::LeakyRelu(slope) => (2.0 / (1.0 + slope * slope)).sqrt(),
        Nonlinearity::Selu => 0.75,
    }
}

/// `(fan_in, fan_out)` of a weight of shape `[out, in, *kernel]`
/// (`_calculate_fan_in_and_fan_out`). Panics for fewer than 2 dims, as PyTorch does.
pub fn fan_in_and_fan_out(dims: &[usize]) -> (usize, usize) {
    assert!(
        dims.len() >= 2,
        "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions \
         (shape {dims:?})"
    );
    let receptive: usize = dims[2..].iter().product();
    (dims[1] * receptive, dims[0] * receptive)
}

/// Replaces `param`'s values with `sample(shape)` in its own dtype and device.
fn fill(param: &Var, sample: impl FnOnce(&Tensor) -> Tensor) {
    let current = param.value();
    let fresh = sample(&current)
        .to_dtype(current.dtype())
        .to_device(&current.device());
    param.set_value(fresh);
}

/// Fills with values drawn from U(`low`, `high`) (`nn.init.uniform_`).
pub fn uniform_(param: &Var, low: f64, high: f64) {
    fill(param, |t| {
        with_global_generator(|g| {
            Tensor::rand_from(t.shape().clone(), kiln_tensor::DType::F64, &t.device(), g)
        })
        .mul_scalar(high - low)
        .add_scalar(low)
    });
}

/// Fills with values drawn from N(`mean`, `std²`) (`nn.init.normal_`).
pub fn normal_(param: &Var, mean: f64, std: f64) {
    fill(param, |t| {
        with_global_generator(|g| {
            Tensor::randn_from(t.shape().clone(), kiln_tensor::DType::F64, &t.device(), g)
        })
        .mul_scalar(std)
        .add_scalar(mean)
    });
}

/// Fills with `value` (`nn.init.constant_`).
pub fn constant_(param: &Var, value: f64) {
    fill(param, |t| t.full_like(value));
}

/// Fills with zeros (`nn.init.zeros_`).
pub fn zeros_(param: &Var) {
    constant_(param, 0.0);
}

/// Fills with ones (`nn.init.ones_`).
pub fn ones_(param: &Var) {
    constant_(param, 1.0);
}

/// Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)) (`nn.init.xavier_uniform_`).
pub fn xavier_uniform_(param: &Var, gain: f64) {
    let (fan_in, fan_out) = fan_in_and_fan_out(&param.dims());
    let bound = gain * (6.0 / (fan_in + fan_out) as f64).sqrt();
    uniform_(param, -bound, bound);
}

/// Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)) (`nn.init.xavier_normal_`).
pub fn xavier_normal_(param: &Var, gain: f64) {
    let (fan_in, fan_out) = fan_in_and_fan_out(&param.dims());
    normal_(param, 0.0, gain * (2.0 / (fan_in + fan_out) as f64).sqrt());
}

/// The standard deviation He initialisation targets: gain / √fan.
fn kaiming_std(param: &Var, mode: FanMode, nonlinearity: Nonlinearity) -> f64 {
    let (fan_in, fan_out) = fan_in_and_fan_out(&param.dims());
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    calculate_gain(nonlinearity) / (fan as f64).sqrt()
}

/// He uniform: U(−b, b) with b = √3·gain/√fan (`nn.init.kaiming_uniform_`). PyTorch's `Linear`
/// and `Conv` defaults are `kaiming_uniform_(w, a=√5)`, i.e. `LeakyRelu(√5)`, giving b = 1/√fan_in.
pub fn kaiming_uniform_(param: &Var, mode: FanMode, nonlinearity: Nonlinearity) {
    let bound = 3f64.sqrt() * kaiming_std(param, mode, nonlinearity);
    uniform_(param, -bound, bound);
}

/// He normal: N(0, std²) with std = gain/√fan (`nn.init.kaiming_normal_`).
pub fn kaiming_normal_(param: &Var, mode: FanMode, nonlinearity: Nonlinearity) {
    normal_(param, 0.0, kaiming_std(param, mode, nonlinearity));
}
