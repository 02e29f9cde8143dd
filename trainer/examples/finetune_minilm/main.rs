//! The seeds' Approach 4 on IMDB: all-MiniLM-L6-v2 + mean pooling + a linear head, fine-tuned
//! for one epoch on 2,000 balanced reviews (batch 16, max length 128, AdamW 5e-5 for the
//! encoder and 1e-3 for the head, weight decay 0.01 except biases and LayerNorm weights,
//! linear warmup over 10 % of the steps then linear decay, cross-entropy on two classes),
//! then evaluated on 1,000 other balanced reviews. Needs `cargo xtask fetch minilm imdb`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example finetune_minilm          # f32
//! cargo run --release -p kiln-trainer --example finetune_minilm -- fp16  # or bf16
//! ```
//!
//! With `fp16` the forward runs under `autocast(F16)` and the loss is scaled by a
//! `GradScaler` (`torch.autocast` + `torch.amp.GradScaler`); `bf16` autocasts without scaling.
//!
//! Python equivalent (PyTorch + transformers):
//! ```text
//! class DAIGTModel(nn.Module):            # AutoModel + MeanPooling + nn.Linear(384, 2)
//!     def forward(self, input_ids, attention_mask):
//!         h = self.model(input_ids, attention_mask).last_hidden_state
//!         return self.classifier(self.pool(h, attention_mask))
//! no_decay = ["bias", "LayerNorm.weight"]
//! groups = [{"params": encoder decay, "lr": 5e-5, "weight_decay": 0.01},
//!           {"params": encoder no-decay, "lr": 5e-5, "weight_decay": 0.0},
//!           {"params": head decay, "lr": 1e-3, "weight_decay": 0.01}, {"params": head no-decay, ...}]
//! optimizer = AdamW(groups, lr=5e-5)
//! scheduler = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
//! for input_ids, attention_mask, labels in loader:   # batch 16, shuffled, padded per batch
//!     loss = nn.CrossEntropyLoss()(model(input_ids, attention_mask), labels)
//!     loss.backward(); optimizer.step(); scheduler.step(); optimizer.zero_grad()
//! ```

#[path = "../common/minilm_imdb.rs"]
mod minilm_imdb;
mod pipeline;

use std::error::Error;
use std::time::Instant;

use kiln_data::datasets::Imdb;

fn main() -> Result<(), Box<dyn Error>> {
    kiln_tensor::init_thread_pool(None)?;
    let start = Instant::now();
    let autocast = match std::env::args().nth(1).as_deref() {
        None | Some("f32") => None,
        Some("fp16") => Some(kiln_tensor::DType::F16),
        Some("bf16") => Some(kiln_tensor::DType::BF16),
        Some(other) => return Err(format!("unknown precision `{other}`: f32, fp16 or bf16").into()),
    };
    let settings = pipeline::Settings {
        autocast,
        ..pipeline::Settings::default()
    };
    let imdb = Imdb::load()?;
    let sample = minilm_imdb::balanced_sample(
        imdb.texts(),
        imdb.labels(),
        settings.n_train,
        settings.n_test,
        settings.seed,
    );
    println!(
        "IMDB: {} training / {} held-out reviews, max length {}, batch {}",
        sample.train_texts.len(),
        sample.test_texts.len(),
        settings.max_length,
        settings.batch_size
    );
    let mut window = Vec::new();
    let eval = pipeline::run(&minilm_imdb::minilm_dir(), &sample, &settings, |s| {
        window.push(s.seconds);
        if s.step % 10 == 0 || s.step == s.total {
            println!(
                "step {:>4}/{}: loss {:.4}, encoder lr {:.2e}, {:.2} s/step",
                s.step,
                s.total,
                s.loss,
                s.encoder_lr,
                window.iter().sum::<f64>() / window.len() as f64
            );
            window.clear();
        }
    })?;
    println!(
        "training: {} steps in {:.1} s, {:.2} s per step",
        eval.losses.len(),
        eval.train_seconds,
        eval.seconds_per_step
    );
    println!("held-out evaluation: {:.1} s", eval.eval_seconds);
    if settings.autocast.is_some() {
        println!("steps skipped for overflow: {}", eval.skipped_steps);
    }
    println!("held-out accuracy: {:.4}", eval.accuracy);
    println!("held-out ROC AUC:  {:.4}", eval.roc_auc);
    println!("wall time: {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
