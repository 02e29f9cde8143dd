//! Seeded data augmentation: image transforms on `[C, H, W]` f32 tensors (torchvision's
//! `transforms`) and EDA-style token-list transforms (Wei & Zou 2019,
//! <https://arxiv.org/abs/1901.11196>), chained with [`Compose`].
//!
//! Every random transform draws from a caller-supplied [`Generator`], so one seed repeats a
//! whole augmentation pipeline.

mod compose;
mod image;
mod rotate;
mod text;

pub use compose::{Compose, Transform};
pub use image::{
    Normalize, RandomCrop, RandomHorizontalFlip, RandomRotation90, RandomVerticalFlip, crop, hflip,
    normalize, pad, rot90, vflip,
};
pub use kiln_tensor::Generator;
pub use rotate::{Interpolation, RandomRotation, rotate};
pub use text::{
    RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement, random_deletion,
    random_insertion, random_swap, synonym_replacement,
};
