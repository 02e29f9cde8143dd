//! Turning gradient recording off for a scope (`torch.no_grad()`).

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True unless a [`NoGradGuard`] is alive on this thread (`torch.is_grad_enabled()`).
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// While alive, ops on this thread record no graph (`with torch.no_grad():`). Dropping it
/// restores the previous state, so guards nest.
#[must_use = "gradients are disabled only while the guard is alive"]
pub struct NoGradGuard {
    previous: bool,
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        GRAD_ENABLED.with(|g| g.set(self.previous));
    }
}

/// Disables gradient recording until the returned guard is dropped.
pub fn no_grad() -> NoGradGuard {
    set_grad_enabled(false)
}

/// Sets recording on or off until the guard is dropped (`torch.set_grad_enabled`).
pub fn set_grad_enabled(enabled: bool) -> NoGradGuard {
    let previous = GRAD_ENABLED.with(|g| g.replace(enabled));
    NoGradGuard { previous }
}
