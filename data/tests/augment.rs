//! Image and text augmentation: exact small cases and seeded repeatability.

use std::collections::HashMap;
use std::sync::Arc;

use kiln_data::augment::{
    Compose, Generator, Interpolation, Normalize, RandomCrop, RandomDeletion, RandomHorizontalFlip,
    RandomRotation, RandomSwap, SynonymReplacement, Transform, crop, hflip, normalize, pad,
    random_deletion, random_insertion, random_swap, rot90, rotate, synonym_replacement, vflip,
};
use kiln_tensor::Tensor;

/// [1, 2, 3] image 0..6: rows [0 1 2], [3 4 5].
fn img() -> Tensor {
    Tensor::from_vec((0..6).map(|v| v as f32).collect::<Vec<_>>(), [1, 2, 3])
}

#[test]
fn flips_and_rot90() {
    assert_eq!(
        hflip(&img()).to_vec::<f32>(),
        vec![2.0, 1.0, 0.0, 5.0, 4.0, 3.0]
    );
    assert_eq!(
        vflip(&img()).to_vec::<f32>(),
        vec![3.0, 4.0, 5.0, 0.0, 1.0, 2.0]
    );
    // np.rot90([[0,1,2],[3,4,5]]) = [[2,5],[1,4],[0,3]]
    let r = rot90(&img(), 1);
    assert_eq!(r.dims(), &[1, 3, 2]);
    assert_eq!(r.to_vec::<f32>(), vec![2.0, 5.0, 1.0, 4.0, 0.0, 3.0]);
    assert_eq!(
        rot90(&img(), 2).to_vec::<f32>(),
        vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    );
    assert_eq!(
        rot90(&rot90(&img(), 1), 3).to_vec::<f32>(),
        img().to_vec::<f32>()
    );
    assert_eq!(
        rot90(&img(), -1).to_vec::<f32>(),
        rot90(&img(), 3).to_vec::<f32>()
    );
}

#[test]
fn arbitrary_rotation() {
    let square = Tensor::from_vec((0..50).map(|v| v as f32).collect::<Vec<_>>(), [2, 5, 5]);
    for (deg, k) in [(90.0, 1), (180.0, 2), (270.0, 3), (-90.0, 3), (0.0, 0)] {
        for mode in [Interpolation::Nearest, Interpolation::Bilinear] {
            let got = rotate(&square, deg, mode, -1.0).to_vec::<f32>();
            let want = rot90(&square, k).to_vec::<f32>();
            for (a, b) in got.iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "{deg} degrees {mode:?}: {got:?} vs {want:?}"
                );
            }
        }
    }
    // 45 degrees: corners come from outside and take the fill value; the centre stays.
    let r = rotate(&square, 45.0, Interpolation::Nearest, -1.0).to_vec::<f32>();
    assert_eq!(r[0], -1.0);
    assert_eq!(r[12], 12.0);
    // Bilinear on a constant image stays constant away from the border.
    let ones = Tensor::ones([1, 9, 9]);
    let b = rotate(&ones, 30.0, Interpolation::Bilinear, 0.0).to_vec::<f32>();
    assert!((b[4 * 9 + 4] - 1.0).abs() < 1e-6);
}

#[test]
fn pad_crop_normalize() {
    let p = pad(&img(), 1, 9.0);
    assert_eq!(p.dims(), &[1, 4, 5]);
    assert_eq!(p.to_vec::<f32>()[..6], [9.0, 9.0, 9.0, 9.0, 9.0, 9.0]);
    assert_eq!(crop(&p, 1, 1, 2, 3).to_vec::<f32>(), img().to_vec::<f32>());
    let two = Tensor::from_vec(vec![1.0f32, 3.0, 10.0, 20.0], [2, 1, 2]);
    assert_eq!(
        normalize(&two, &[2.0, 10.0], &[1.0, 5.0]).to_vec::<f32>(),
        vec![-1.0, 1.0, 0.0, 2.0]
    );
}

#[test]
fn composed_pipeline_is_seeded() {
    let pipeline = Compose::new()
        .then(RandomCrop::new((28, 28), 4))
        .then(RandomHorizontalFlip { p: 0.5 })
        .then(RandomRotation::new(15.0).with_interpolation(Interpolation::Bilinear))
        .then(Normalize {
            mean: vec![0.5],
            std: vec![0.25],
        });
    let x = Tensor::rand([1, 28, 28]);
    let a = pipeline.apply(x.clone(), &mut Generator::new(1));
    let b = pipeline.apply(x.clone(), &mut Generator::new(1));
    let c = pipeline.apply(x.clone(), &mut Generator::new(2));
    assert_eq!(a.dims(), &[1, 28, 28]);
    assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
    assert_ne!(a.to_vec::<f32>(), c.to_vec::<f32>());
    let crops: Vec<Vec<f32>> = (0..20)
        .map(|s| {
            RandomCrop::new((2, 2), 0)
                .apply(img(), &mut Generator::new(s))
                .to_vec::<f32>()
        })
        .collect();
    assert!(crops.iter().all(|c| c.len() == 4));
    assert!(crops.iter().any(|c| c[0] == 0.0) && crops.iter().any(|c| c[0] == 1.0));
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(String::from).collect()
}

#[test]
fn eda_operations() {
    let tokens = words("the quick brown fox jumps");
    let mut rng = Generator::new(0);
    assert_eq!(random_deletion(&tokens, 0.0, &mut rng), tokens);
    assert_eq!(random_deletion(&tokens, 1.0, &mut rng).len(), 1);
    let d = random_deletion(&tokens, 0.5, &mut Generator::new(3));
    assert!(d.iter().all(|t| tokens.contains(t)) && d.len() < tokens.len());
    let mut s = random_swap(&tokens, 3, &mut Generator::new(4));
    assert_eq!(s.len(), tokens.len());
    s.sort();
    let mut sorted = tokens.clone();
    sorted.sort();
    assert_eq!(s, sorted);

    let synonyms: HashMap<String, Vec<String>> = [
        ("quick".to_string(), words("fast speedy")),
        ("fox".to_string(), words("vixen")),
    ]
    .into_iter()
    .collect();
    let r = synonym_replacement(
        &words("quick fox quick dog"),
        5,
        &synonyms,
        &mut Generator::new(1),
    );
    assert_eq!(r[3], "dog");
    assert_eq!(r[1], "vixen");
    assert_eq!(r[0], r[2], "every occurrence gets the same synonym");
    assert!(r[0] == "fast" || r[0] == "speedy");
    let one = synonym_replacement(&words("quick fox"), 1, &synonyms, &mut Generator::new(1));
    assert_eq!(
        one.iter()
            .zip(&words("quick fox"))
            .filter(|(a, b)| a != b)
            .count(),
        1
    );
    let ins = random_insertion(&words("a fox"), 2, &synonyms, &mut Generator::new(2));
    assert_eq!(ins.len(), 4);
    assert_eq!(ins.iter().filter(|w| *w == "vixen").count(), 2);
    assert_eq!(
        random_insertion(&words("no synonyms"), 3, &synonyms, &mut Generator::new(2)),
        words("no synonyms")
    );

    let pipeline = Compose::new()
        .then(SynonymReplacement {
            n: 1,
            synonyms: Arc::new(synonyms),
        })
        .then(RandomSwap { n: 1 })
        .then(RandomDeletion { p: 0.1 });
    let a = pipeline.apply(tokens.clone(), &mut Generator::new(9));
    assert_eq!(a, pipeline.apply(tokens.clone(), &mut Generator::new(9)));
    let ids: Vec<i64> = vec![5, 6, 7];
    assert_eq!(random_swap(&ids, 0, &mut Generator::new(0)), ids);
}
