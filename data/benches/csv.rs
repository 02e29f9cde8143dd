//! CSV reading throughput: a generated 50,000-row file (int, float, bool and a quoted
//! string with a comma per row) read into a typed `Table` with type inference. Throughput is
//! the file size. Compare with `compare.py` (pandas.read_csv on the same bytes).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiln_data::table::{CsvOptions, Table};
use std::hint::black_box;
use std::io::Write;

const ROWS: usize = 50_000;

/// The benchmark file; `compare.py` writes the same bytes.
fn csv_text() -> String {
    let mut s = String::from("id,x,flag,text\n");
    for i in 0..ROWS {
        let x = (i % 1000) as f64 / 8.0;
        let flag = if i % 3 == 0 { "true" } else { "false" };
        s.push_str(&format!("{i},{x:.3},{flag},\"review {i}, quite good\"\n"));
    }
    s
}

fn bench_csv(c: &mut Criterion) {
    let text = csv_text();
    let path = std::env::temp_dir().join(format!("kiln-data-bench-{}.csv", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write the benchmark file");
    let mut group = c.benchmark_group("csv");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_with_input(BenchmarkId::new("read", ROWS), &ROWS, |b, _| {
        b.iter(|| {
            let (table, _) = Table::read_csv_path(&path, &CsvOptions::new()).expect("valid CSV");
            assert_eq!(black_box(table).num_rows(), ROWS);
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench_csv);
criterion_main!(benches);
