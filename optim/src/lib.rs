//! kiln-optim: optimizers, LR schedulers and `GradScaler` over `kiln-autograd`; not written yet (this crate is empty).
