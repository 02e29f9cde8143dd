//! Sentence embeddings with all-MiniLM-L6-v2 (mean pooling + L2 normalisation) and the
//! table of their cosine similarities. Needs the model: `cargo xtask fetch minilm`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example embeddings [MINILM_DIR]
//! ```
//!
//! Python equivalent (sentence-transformers):
//! ```text
//! from sentence_transformers import SentenceTransformer, util
//! model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
//! embeddings = model.encode(sentences, normalize_embeddings=True)
//! print(util.cos_sim(embeddings, embeddings))
//! ```

// `pub(crate)`: the test includes this file and reaches the shared code through it.
#[path = "common/minilm_imdb.rs"]
pub(crate) mod minilm_imdb;

use std::error::Error;
use std::path::Path;

use kiln_nn::models::BertModel;
use kiln_tensor::Tensor;
use kiln_text::Tokenizer;

/// The sentences compared.
pub const SENTENCES: [&str; 6] = [
    "The cat sits outside.",
    "A man is playing guitar.",
    "The new movie is awesome.",
    "The dog plays in the garden.",
    "A woman watches TV.",
    "The new movie is so great.",
];

/// L2-normalised MiniLM embeddings of `sentences`, `[n, 384]`, with the model's limit of
/// 256 word pieces (sentence-transformers' `max_seq_length`).
pub fn embed(dir: &Path, sentences: &[String]) -> Result<Tensor, Box<dyn Error>> {
    let tokenizer = Tokenizer::from_pretrained(dir)?;
    let model = BertModel::from_pretrained(dir)?.without_pooler();
    let ids = minilm_imdb::tokenize(&tokenizer, sentences, 256)?;
    Ok(minilm_imdb::mean_pooled_embeddings(&model, &ids, 32))
}

/// Cosine similarity of every pair of rows of unit-length `embeddings` (their dot products),
/// `n × n` row-major.
pub fn cosine_table(embeddings: &Tensor) -> Vec<f64> {
    let (n, h) = (embeddings.dims()[0], embeddings.dims()[1]);
    let e = embeddings.to_vec::<f64>();
    let mut table = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            table[i * n + j] = (0..h).map(|k| e[i * h + k] * e[j * h + k]).sum();
        }
    }
    table
}

#[allow(dead_code)] // the test includes this file and calls `embed` / `cosine_table`
fn main() -> Result<(), Box<dyn Error>> {
    kiln_tensor::init_thread_pool(None)?;
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(minilm_imdb::minilm_dir);
    let sentences: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
    let start = std::time::Instant::now();
    let embeddings = embed(&dir, &sentences)?;
    println!(
        "{} embeddings of {} dimensions in {:.2} s",
        embeddings.dims()[0],
        embeddings.dims()[1],
        start.elapsed().as_secs_f64()
    );
    let first = embeddings.narrow(1usize, 0, 5).contiguous().to_vec::<f32>();
    println!("first sentence, [:5]: {:?}", &first[..5]);
    let n = sentences.len();
    let table = cosine_table(&embeddings);
    println!("\ncosine similarity");
    print!("{:>4}", "");
    for j in 0..n {
        print!("{j:>7}");
    }
    println!();
    for i in 0..n {
        print!("{i:>4}");
        for j in 0..n {
            print!("{:>7.3}", table[i * n + j]);
        }
        println!("  {}", sentences[i]);
    }
    let (mut best, mut pair) = (f64::NEG_INFINITY, (0, 0));
    for i in 0..n {
        for j in i + 1..n {
            if table[i * n + j] > best {
                best = table[i * n + j];
                pair = (i, j);
            }
        }
    }
    println!(
        "\nmost similar: {:?} and {:?} ({best:.3})",
        sentences[pair.0], sentences[pair.1]
    );
    Ok(())
}
