//! kiln-trainer: a Hugging Face-style `Trainer` over every other Kiln crate; not written yet (this crate is empty).
