//! Running a stack of encoder layers: collecting hidden states and attentions on request, and
//! gradient checkpointing per layer (transformers' `BertEncoder.forward` loop and its
//! `gradient_checkpointing`). Shared by every BERT-family encoder.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kiln_autograd::{Var, checkpoint, is_grad_enabled};
use kiln_tensor::Tensor;

/// An encoder layer: hidden states `[B, L, H]` and an additive mask in, new hidden states and
/// (with `need_probs`, `output_attentions`) the attention probabilities `[B, heads, L, L]` out.
pub trait EncoderLayer: Send + Sync + 'static {
    /// Runs the layer. Without `need_probs` it may skip storing the probabilities (the fused
    /// inference attention), and then returns `None` for them.
    fn forward_layer(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>);
}

/// What running the stack produced.
pub struct StackOutput {
    /// The last layer's output.
    pub last: Var,
    /// The input then each layer's output, when asked for.
    pub hidden_states: Option<Vec<Var>>,
    /// Each layer's attention probabilities, when asked for.
    pub attentions: Option<Vec<Var>>,
}

/// Whether layers run under gradient checkpointing (`model.gradient_checkpointing_enable()`).
#[derive(Debug, Default)]
pub struct CheckpointFlag(AtomicBool);

impl CheckpointFlag {
    /// Turns checkpointing on or off.
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    /// Whether checkpointing is on.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs `layers` in order over `hidden`. With `checkpointing` (honoured only while gradients
/// are recorded and no attentions are asked for), each layer keeps only its input during the
/// forward and is recomputed during backward, with the same dropout masks.
pub fn run_layers<L: EncoderLayer>(
    layers: &[Arc<L>],
    hidden: Var,
    additive_mask: Option<&Tensor>,
    output_hidden_states: bool,
    output_attentions: bool,
    checkpointing: bool,
) -> StackOutput {
    let mut hidden_states = output_hidden_states.then(Vec::new);
    let mut attentions = output_attentions.then(Vec::new);
    let checkpointing = checkpointing && !output_attentions && is_grad_enabled();
    // A mask that attends to every token adds zeros to every score: leave it out (one pass
    // over the `[B, heads, L, L]` scores per layer, 8 × 512 tokens: 100 MB, and its backward).
    let additive_mask = additive_mask.filter(|mask| !is_all_zeros(mask));
    let mut hidden = hidden;
    for layer in layers {
        if let Some(states) = &mut hidden_states {
            states.push(hidden.clone());
        }
        hidden = if checkpointing {
            let layer = Arc::clone(layer);
            let mask = additive_mask.cloned();
            checkpoint(
                move |inputs: &[Var]| layer.forward_layer(&inputs[0], mask.as_ref(), false).0,
                &[hidden],
            )
        } else {
            let (out, probs) = layer.forward_layer(&hidden, additive_mask, output_attentions);
            if let Some(all) = &mut attentions {
                all.push(probs.expect("a layer returns its probabilities when asked"));
            }
            out
        };
    }
    if let Some(states) = &mut hidden_states {
        states.push(hidden.clone());
    }
    StackOutput {
        last: hidden,
        hidden_states,
        attentions,
    }
}

/// Whether `mask` is a contiguous f32 CPU tensor of zeros only (adding it changes nothing:
/// `x + 0.0` is `x`, and a `-0.0` score gives the same softmax as `+0.0`). Other masks are not
/// inspected (`as_slice` is `None` for them), so a GPU mask never makes the host wait.
fn is_all_zeros(mask: &Tensor) -> bool {
    mask.as_slice::<f32>()
        .is_some_and(|values| values.iter().all(|&v| v == 0.0))
}
