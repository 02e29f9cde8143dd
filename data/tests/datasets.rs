//! Loaders on the real cached data (skipped unless fetched, required with
//! `KILN_REQUIRE_DATA=1`) and IDX parsing on corrupt input
//! (the mutation fuzzing of these files is in `dataset_fuzz.rs`).

mod common;

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use kiln_data::datasets::{DatasetError, FashionMnist, Imdb, Split, read_idx};
use kiln_data::{DataLoader, Dataset};

#[test]
fn fashion_mnist_counts() {
    let Some(dir) = common::data_dir("fashion-mnist", "train-images-idx3-ubyte.gz") else {
        return;
    };
    for (split, n) in [(Split::Train, 60_000usize), (Split::Test, 10_000)] {
        let data = FashionMnist::load_from(&dir, split).expect("loads");
        assert_eq!(data.len(), n);
        assert_eq!(data.images().dims(), &[n, 784]);
        assert_eq!(data.images_nchw().dims(), &[n, 1, 28, 28]);
        let mut counts = [0usize; 10];
        for &l in data.label_values() {
            counts[l as usize] += 1;
        }
        assert_eq!(counts, [n / 10; 10]);
        let px = data.images().to_vec::<f32>();
        assert!(px.iter().all(|&p| (0.0..=1.0).contains(&p)));
        assert!(px.contains(&1.0) && px.contains(&0.0));
        let loader = DataLoader::new(data).with_batch_size(256);
        let (x, y) = loader.iter().next().expect("a batch");
        assert_eq!(x.dims(), &[256, 784]);
        assert_eq!(y.dims(), &[256]);
    }
}

#[test]
fn imdb_counts() {
    let Some(dir) = common::data_dir("imdb", "reviews.json") else {
        return;
    };
    let data = Imdb::load_from(&dir).expect("loads");
    assert_eq!(data.len(), 50_000);
    let positives = data.labels().iter().filter(|&&l| l == 1).count();
    assert_eq!(positives, 25_000);
    assert!(
        data.labels()[..25_000].iter().all(|&l| l == 0),
        "negatives come first"
    );
    assert!(data.texts().iter().filter(|t| t.contains("<br />")).count() > 20_000);
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory")
}

fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[test]
fn idx_errors_are_typed() {
    let p = Path::new("x.idx");
    let ok = read_idx(&idx(&[2, 3], &[1, 2, 3, 4, 5, 6])[..], p).expect("valid");
    assert_eq!(ok.dims, vec![2, 3]);
    assert!(matches!(
        read_idx(&idx(&[2, 3], &[1, 2, 3])[..], p),
        Err(DatasetError::Truncated {
            expected: 6,
            found: 3,
            ..
        })
    ));
    assert!(matches!(
        read_idx(&idx(&[2], &[1, 2, 3])[..], p),
        Err(DatasetError::TrailingBytes { .. })
    ));
    // A header claiming 4 billion squared bytes allocates nothing and reports truncation.
    assert!(matches!(
        read_idx(&idx(&[u32::MAX, u32::MAX], &[0; 10])[..], p),
        Err(DatasetError::Truncated { .. })
    ));
    assert!(matches!(
        read_idx(&[0u8, 0, 9, 1, 0, 0, 0, 1, 5][..], p),
        Err(DatasetError::BadHeader { .. })
    ));
    assert!(matches!(
        read_idx(&[0u8, 0][..], p),
        Err(DatasetError::BadHeader { .. })
    ));
}

#[test]
fn corrupt_and_truncated_gzip_files() {
    let dir = std::env::temp_dir().join(format!("kiln-data-fmnist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let images = gz(&idx(&[2, 28, 28], &[7u8; 2 * 784]));
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), &images).expect("write");
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte.gz"),
        gz(&idx(&[2], &[3, 9])),
    )
    .expect("write");
    let data = FashionMnist::load_from(&dir, Split::Test).expect("valid small set");
    assert_eq!(data.label_values(), &[3, 9]);
    assert!((data.images().to_vec::<f32>()[0] - 7.0 / 255.0).abs() < 1e-7);
    // Labels out of range.
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte.gz"),
        gz(&idx(&[2], &[3, 10])),
    )
    .expect("write");
    assert!(matches!(
        FashionMnist::load_from(&dir, Split::Test),
        Err(DatasetError::Invalid { .. })
    ));
    // A gzip stream cut in half.
    std::fs::write(
        dir.join("t10k-images-idx3-ubyte.gz"),
        &images[..images.len() / 2],
    )
    .expect("write");
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte.gz"),
        gz(&idx(&[2], &[3, 9])),
    )
    .expect("write");
    let err = FashionMnist::load_from(&dir, Split::Test).expect_err("truncated gzip");
    assert!(
        matches!(
            err,
            DatasetError::Io { .. }
                | DatasetError::Truncated { .. }
                | DatasetError::BadHeader { .. }
        ),
        "{err}"
    );
    // Garbage instead of gzip.
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), b"not gzip at all").expect("write");
    assert!(FashionMnist::load_from(&dir, Split::Test).is_err());
    // Missing files name the fetch command.
    let err = FashionMnist::load_from(&dir, Split::Train).expect_err("no train files");
    assert!(
        err.to_string().contains("cargo xtask fetch fashion-mnist"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn imdb_rejects_bad_json() {
    let p = Path::new("reviews.json");
    assert!(Imdb::from_json(br#"[{"t": "good", "s": 1}, {"t": "bad", "s": 0}]"#, p).is_ok());
    assert!(matches!(
        Imdb::from_json(br#"[{"t": "x", "s": 2}]"#, p),
        Err(DatasetError::Invalid { .. })
    ));
    assert!(matches!(
        Imdb::from_json(br#"{"t": "x"}"#, p),
        Err(DatasetError::Invalid { .. })
    ));
}
