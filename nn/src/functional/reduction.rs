//! How a loss turns per-element losses into its result (PyTorch's `reduction=` argument).

use kiln_autograd::Var;

/// Reduction of per-element losses (`reduction='none' | 'mean' | 'sum'`); the default is
/// `Mean`, as in PyTorch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Keep one loss per element (`'none'`).
    None,
    /// Average of the losses (`'mean'`); some losses use a weighted average (see each loss).
    #[default]
    Mean,
    /// Sum of the losses (`'sum'`).
    Sum,
}

impl Reduction {
    /// Applies the plain reduction to per-element losses: `None` returns them, `Mean` their
    /// average over every element, `Sum` their sum.
    pub fn apply(self, losses: &Var) -> Var {
        match self {
            Reduction::None => losses.clone(),
            Reduction::Mean => losses.mean(),
            Reduction::Sum => losses.sum(),
        }
    }

    /// PyTorch's string for this reduction (`"none"`, `"mean"`, `"sum"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
        }
    }
}

/// Reduction of [`kl_div`](super::kl_div), which adds PyTorch's `'batchmean'`; the default is
/// `Mean`, as in PyTorch (which warns that `BatchMean` is the mathematically correct one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KlDivReduction {
    /// Keep one term per element (`'none'`).
    None,
    /// Average over every element (`'mean'`).
    #[default]
    Mean,
    /// Sum divided by the batch size, `input.size(0)` (`'batchmean'`).
    BatchMean,
    /// Sum of all terms (`'sum'`).
    Sum,
}

impl From<Reduction> for KlDivReduction {
    fn from(r: Reduction) -> Self {
        match r {
            Reduction::None => KlDivReduction::None,
            Reduction::Mean => KlDivReduction::Mean,
            Reduction::Sum => KlDivReduction::Sum,
        }
    }
}
