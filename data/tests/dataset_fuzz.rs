//! Mutated dataset files (issue 20): IDX arrays (raw and gzipped, as Fashion-MNIST ships
//! them) and IMDB's `reviews.json` never make loading panic, abort or allocate more than
//! 1 GiB, whatever their header claims. Runs `KILN_FUZZ_CASES` cases (256 unless set); this
//! binary holds only these tests, so its allocation counter sees only them.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use kiln_data::datasets::{FashionMnist, Imdb, Split, read_idx};
use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, hostile_value, mutate_bytes, mutate_json};
use proptest::prelude::*;
use proptest::sample::Index;

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory")
}

/// A valid IDX file of unsigned bytes with dimensions `dims`.
fn idx(dims: &[u32]) -> Vec<u8> {
    let mut out = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    let n: u32 = dims.iter().product();
    out.extend((0..n).map(|i| (i % 10) as u8));
    out
}

/// Header words that claim huge or empty arrays.
fn hostile_dim(k: u8) -> [u8; 4] {
    [0, 1, 2, 28, 60_000, 1 << 20, 1 << 31, u32::MAX][usize::from(k % 8)].to_be_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn mutated_idx_files_never_panic(
        image in any::<bool>(),
        header_edits in prop::collection::vec((0usize..4, any::<u8>()), 0..3),
        byte_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = if image { idx(&[3, 4, 5]) } else { idx(&[6]) };
        // Overwrite whole dimension words, the fields a reader sizes its buffer from.
        let rank = usize::from(bytes[3]);
        for (dim, k) in &header_edits {
            let at = 4 + 4 * (dim % rank);
            bytes[at..at + 4].copy_from_slice(&hostile_dim(*k));
        }
        let bytes = mutate_bytes(bytes, &byte_edits);
        if let Ok(a) = read_idx(&bytes[..], Path::new("fuzz.idx")) {
            prop_assert_eq!(a.data.len(), a.dims.iter().product::<usize>());
        }
        let _ = read_idx(&gz(&bytes)[..], Path::new("fuzz.idx.gz"));
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_fashion_mnist_folders_never_panic(
        image_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
        label_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
        compressed_edit in prop::option::of((any::<Index>(), any::<u8>(), any::<u8>())),
    ) {
        let dir = std::env::temp_dir().join(format!("kiln-data-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut images = gz(&mutate_bytes(idx(&[2, 28, 28]), &image_edits));
        if let Some(edit) = compressed_edit {
            images = mutate_bytes(images, &[edit]);
        }
        std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), images).expect("write");
        std::fs::write(
            dir.join("t10k-labels-idx1-ubyte.gz"),
            gz(&mutate_bytes(idx(&[2]), &label_edits)),
        )
        .expect("write");
        if let Ok(data) = FashionMnist::load_from(&dir, Split::Test) {
            prop_assert_eq!(data.label_values().len(), data.images().dims()[0]);
            prop_assert!(data.label_values().iter().all(|&l| (0..10).contains(&l)));
        }
        LargestAllocation::assert_under_a_gib();
    }

    #[test]
    fn mutated_imdb_reviews_never_panic(
        json_edits in prop::collection::vec((any::<Index>(), any::<usize>()), 1..4),
        byte_edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 0..3),
    ) {
        let mut json = serde_json::json!([
            {"t": "A fine film.<br />Loved it.", "s": 1},
            {"t": "Dull.", "s": 0},
            {"t": "", "s": 1},
        ]);
        for (where_, what) in &json_edits {
            mutate_json(&mut json, where_, *what, hostile_value, &["t", "s", "x"]);
        }
        let bytes = mutate_bytes(json.to_string().into_bytes(), &byte_edits);
        if let Ok(imdb) = Imdb::from_json(&bytes, Path::new("reviews.json")) {
            prop_assert_eq!(imdb.texts().len(), imdb.labels().len());
            prop_assert!(imdb.labels().iter().all(|&l| l == 0 || l == 1));
        }
        LargestAllocation::assert_under_a_gib();
    }
}
