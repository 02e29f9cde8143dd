//! Fashion-MNIST (Xiao et al. 2017): 70,000 28×28 grey images of 10 clothing classes.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use kiln_tensor::Tensor;

use super::{DatasetError, cache_dir, read_idx};
use crate::dataset::Dataset;

/// Which part of a dataset with an official split to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// The training part (60,000 Fashion-MNIST images).
    Train,
    /// The test part (10,000 images, files `t10k-*`).
    Test,
}

/// Fashion-MNIST images and labels (`torchvision.datasets.FashionMNIST` with `ToTensor()`).
///
/// Images are f32 `[N, 784]` scaled to `[0, 1]` (pixel / 255); labels are i64 `[N]` in
/// `0..10`, named by [`FashionMnist::CLASSES`]. As a [`Dataset`], item `i` is
/// `(image row [784], label)`, which `DefaultCollate` stacks into `([B, 784], [B])`.
#[derive(Clone, Debug)]
pub struct FashionMnist {
    images: Tensor,
    labels: Tensor,
    label_values: Vec<i64>,
}

impl FashionMnist {
    /// Class names, in label order.
    pub const CLASSES: [&'static str; 10] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ];

    /// Loads `split` from `<cache>/fashion-mnist/` (see [`cache_dir`]).
    pub fn load(split: Split) -> Result<Self, DatasetError> {
        let dir = cache_dir().ok_or(DatasetError::Missing {
            path: PathBuf::from("$KILN_CACHE/fashion-mnist"),
            fetch: "fashion-mnist",
        })?;
        Self::load_from(&dir.join("fashion-mnist"), split)
    }

    /// Loads `split` from `dir`, which holds `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
    pub fn load_from(dir: &Path, split: Split) -> Result<Self, DatasetError> {
        let prefix = match split {
            Split::Train => "train",
            Split::Test => "t10k",
        };
        let images_path = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
        let labels_path = dir.join(format!("{prefix}-labels-idx1-ubyte.gz"));
        let images = read_gz_idx(&images_path)?;
        let labels = read_gz_idx(&labels_path)?;
        if images.dims.len() != 3 || images.dims[1] != 28 || images.dims[2] != 28 {
            return Err(DatasetError::Invalid {
                path: images_path,
                message: format!("expected [N, 28, 28] images, found {:?}", images.dims),
            });
        }
        if labels.dims.len() != 1 || labels.dims[0] != images.dims[0] {
            return Err(DatasetError::Invalid {
                path: labels_path,
                message: format!(
                    "expected {} labels, found dimensions {:?}",
                    images.dims[0], labels.dims
                ),
            });
        }
        if let Some(pos) = labels.data.iter().position(|&l| l >= 10) {
            return Err(DatasetError::Invalid {
                path: labels_path,
                message: format!("label {} at index {pos} is not in 0..10", labels.data[pos]),
            });
        }
        let n = images.dims[0];
        let pixels: Vec<f32> = images.data.iter().map(|&p| f32::from(p) / 255.0).collect();
        let label_values: Vec<i64> = labels.data.iter().map(|&l| i64::from(l)).collect();
        Ok(FashionMnist {
            images: Tensor::from_vec(pixels, [n, 784]),
            labels: Tensor::from_vec(label_values.clone(), [n]),
            label_values,
        })
    }

    /// f32 `[N, 784]` images in `[0, 1]`.
    pub fn images(&self) -> &Tensor {
        &self.images
    }

    /// The images as f32 `[N, 1, 28, 28]` (a view of the same data).
    pub fn images_nchw(&self) -> Tensor {
        self.images.reshape_to([self.label_values.len(), 1, 28, 28])
    }

    /// i64 `[N]` labels in `0..10`.
    pub fn labels(&self) -> &Tensor {
        &self.labels
    }

    /// The labels as a slice.
    pub fn label_values(&self) -> &[i64] {
        &self.label_values
    }
}

impl Dataset for FashionMnist {
    type Item = (Tensor, i64);

    fn len(&self) -> usize {
        self.label_values.len()
    }

    fn get(&self, index: usize) -> (Tensor, i64) {
        (
            self.images.select(0, index as i64),
            self.label_values[index],
        )
    }
}

fn read_gz_idx(path: &Path) -> Result<super::IdxArray, DatasetError> {
    let file = File::open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DatasetError::Missing {
                path: path.to_path_buf(),
                fetch: "fashion-mnist",
            }
        } else {
            DatasetError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    read_idx(GzDecoder::new(BufReader::new(file)), path)
}
