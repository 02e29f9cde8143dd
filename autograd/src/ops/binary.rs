//! Differentiable elementwise binary ops with broadcasting.

use crate::graph::record;
use crate::ops::sum_to;
use crate::var::Var;

impl Var {
    /// `self + other` with broadcasting (`torch.add`).
    pub fn add(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        record("AddBackward0", &a + &b, &[self, other], move |g| {
            vec![Some(sum_to(g, &a)), Some(sum_to(g, &b))]
        })
    }

    /// `self - other` with broadcasting (`torch.sub`).
    pub fn sub(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        record("SubBackward0", &a - &b, &[self, other], move |g| {
            vec![Some(sum_to(g, &a)), Some(sum_to(&g.neg(), &b))]
        })
    }

    /// `self * other` with broadcasting (`torch.mul`).
    pub fn mul(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        let (ta, tb) = (self.tracks(), other.tracks());
        record("MulBackward0", &a * &b, &[self, other], move |g| {
            vec![
                ta.then(|| sum_to(&(g * &b), &a)),
                tb.then(|| sum_to(&(g * &a), &b)),
            ]
        })
    }

    /// `self / other` with broadcasting (`torch.div`).
    pub fn div(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        let (ta, tb) = (self.tracks(), other.tracks());
        record("DivBackward0", &a / &b, &[self, other], move |g| {
            vec![
                ta.then(|| sum_to(&(g / &b), &a)),
                tb.then(|| sum_to(&(&(g * &a) / &(&b * &b)).neg(), &b)),
            ]
        })
    }

    /// `self ^ other` elementwise with broadcasting (`torch.pow`).
    pub fn pow(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        let (ta, tb) = (self.tracks(), other.tracks());
        let y = a.pow(&b);
        let saved = y.clone();
        record("PowBackward1", y, &[self, other], move |g| {
            vec![
                ta.then(|| sum_to(&(&(g * &b) * &a.pow(&(&b - 1.0))), &a)),
                tb.then(|| sum_to(&(&(g * &saved) * &a.log()), &b)),
            ]
        })
    }

    /// Elementwise maximum (`torch.maximum`); on ties each input gets half the gradient.
    pub fn maximum(&self, other: &Var) -> Var {
        select_between(self, other, true)
    }

    /// Elementwise minimum (`torch.minimum`); on ties each input gets half the gradient.
    pub fn minimum(&self, other: &Var) -> Var {
        select_between(self, other, false)
    }

    /// `self + s` (`x + 2.0`).
    pub fn add_scalar(&self, s: f64) -> Var {
        let a = self.value();
        record("AddBackward1", a.add_scalar(s), &[self], move |g| {
            vec![Some(g.to_dtype(a.dtype()))]
        })
    }

    /// `self * s` (`x * 2.0`).
    pub fn mul_scalar(&self, s: f64) -> Var {
        let a = self.value();
        record("MulBackward1", a.mul_scalar(s), &[self], move |g| {
            vec![Some(g.mul_scalar(s).to_dtype(a.dtype()))]
        })
    }

    /// `self ^ e` for a constant exponent (`x ** 2`).
    pub fn pow_scalar(&self, e: f64) -> Var {
        let a = self.value();
        record("PowBackward0", a.pow_scalar(e), &[self], move |g| {
            vec![Some(&(g * e) * &a.pow_scalar(e - 1.0))]
        })
    }
}

fn select_between(x: &Var, y: &Var, larger: bool) -> Var {
    let (a, b) = (x.value(), y.value());
    let out = if larger { a.maximum(&b) } else { a.minimum(&b) };
    record(
        if larger {
            "MaximumBackward0"
        } else {
            "MinimumBackward0"
        },
        out,
        &[x, y],
        move |g| {
            let wins = if larger { a.gt(&b) } else { a.lt(&b) };
            let ties = a.eq(&b).to_dtype(g.dtype()).mul_scalar(0.5);
            let share_a = &wins.to_dtype(g.dtype()) + &ties;
            let share_b = 1.0 - &share_a;
            vec![
                Some(sum_to(&(g * &share_a), &a)),
                Some(sum_to(&(g * &share_b), &b)),
            ]
        },
    )
}
