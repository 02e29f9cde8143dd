//! The `Module` system: derive, PyTorch's printed form, names, modes, freezing, dtype moves and
//! checked `load_state_dict`.

mod support;

use kiln_autograd::Var;
use kiln_nn::{
    AvgPool2d, BatchNorm1d, Conv1d, Conv2d, Dropout, Embedding, Flatten, Forward, GELU,
    GeluApproximate, LayerNorm, Linear, MaxPool2d, Module, ModuleList, ReLU, Sequential, SiLU,
    Sigmoid, Softmax, StateDict, Tanh,
};
use kiln_tensor::{Conv1dOptions, Conv2dOptions, DType, Pool2dOptions, Tensor};
use support::read_json;

/// The seeds' `MLP(input_size=10)`.
#[allow(clippy::upper_case_acronyms)] // the seeds' class name, which `Display` prints
#[derive(Module)]
struct MLP {
    hidden_layer: Linear,
    output_layer: Linear,
    activation: ReLU,
    #[module(skip)]
    input_size: usize,
}

impl MLP {
    fn new(input_size: usize) -> MLP {
        MLP {
            hidden_layer: Linear::new(input_size, 64, true),
            output_layer: Linear::new(64, 2, true),
            activation: ReLU,
            input_size,
        }
    }

    fn forward(&self, x: &Var) -> Var {
        let h = self.activation.forward(&self.hidden_layer.forward(x));
        self.output_layer.forward(&h)
    }
}

/// Every printable layer, mirroring `Zoo` in gen_layers.py.
#[derive(Module)]
struct Zoo {
    embed: Embedding,
    blocks: Vec<Linear>,
    head: Sequential,
    extra: LayerNorm,
    vision: Sequential,
}

fn zoo() -> Zoo {
    let mut blocks: Vec<Linear> = (0..3).map(|_| Linear::new(8, 8, true)).collect();
    blocks.push(Linear::new(8, 4, true));
    Zoo {
        embed: Embedding::new(100, 8).with_padding_idx(0),
        blocks,
        head: Sequential::new()
            .append(LayerNorm::with_options(&[4], 1e-12, true, true))
            .append(Dropout::new(0.1))
            .append(GELU::default())
            .append(GELU::new(GeluApproximate::Tanh))
            .append(Sigmoid)
            .append(Tanh)
            .append(SiLU)
            .append(Softmax::new(-1))
            .append(Flatten::default())
            .append(BatchNorm1d::with_options(4, 1e-5, None, true, true))
            .append(Linear::new(4, 1, false)),
        extra: LayerNorm::with_options(&[2, 3], 1e-5, false, true),
        vision: Sequential::new()
            .append(Conv2d::new(
                3,
                8,
                [3, 3],
                Conv2dOptions::new().padding([1, 1]),
                true,
            ))
            .append(Conv2d::new(
                8,
                8,
                [3, 5],
                Conv2dOptions::new()
                    .stride([2, 2])
                    .dilation([1, 2])
                    .groups(4),
                false,
            ))
            .append(MaxPool2d::new(2))
            .append(MaxPool2d::with_options(
                Pool2dOptions::new([2, 3]).stride([1, 1]).padding([1, 1]),
            ))
            .append(AvgPool2d::new(2))
            .append(Conv1d::new(
                2,
                4,
                3,
                Conv1dOptions {
                    stride: 2,
                    ..Default::default()
                },
                false,
            )),
    }
}

#[test]
fn seeds_mlp_prints_exactly_like_pytorch() {
    let expected = read_json("layers.json")["mlp_repr"]
        .as_str()
        .expect("repr")
        .to_string();
    assert_eq!(MLP::new(10).to_string(), expected);
}

#[test]
fn every_layer_prints_exactly_like_pytorch() {
    let expected = read_json("layers.json")["zoo_repr"]
        .as_str()
        .expect("repr")
        .to_string();
    assert_eq!(zoo().to_string(), expected);
}

#[test]
fn parameters_have_pytorch_dotted_names_in_registration_order() {
    let names: Vec<String> = zoo()
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut expected = vec!["embed.weight".to_string()];
    for i in 0..4 {
        expected.push(format!("blocks.{i}.weight"));
        expected.push(format!("blocks.{i}.bias"));
    }
    for n in [
        "head.0.weight",
        "head.0.bias",
        "head.9.weight",
        "head.9.bias",
        "head.10.weight",
        "vision.0.weight",
        "vision.0.bias",
        "vision.1.weight",
        "vision.5.weight",
    ] {
        expected.push(n.to_string());
    }
    assert_eq!(names, expected);
    let buffers: Vec<String> = zoo().named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        buffers,
        [
            "head.9.running_mean",
            "head.9.running_var",
            "head.9.num_batches_tracked"
        ]
    );
    let mlp = MLP::new(10);
    assert_eq!(mlp.num_parameters(false), 10 * 64 + 64 + 64 * 2 + 2);
    assert_eq!(mlp.input_size, 10);
    let y = mlp.forward(&Var::constant(Tensor::rand([10])));
    assert_eq!(y.dims(), vec![2]);
}

#[test]
fn train_and_eval_reach_every_descendant() {
    let model = zoo();
    assert!(model.is_training());
    model.eval();
    assert!(!model.is_training());
    let x = Var::constant(Tensor::rand([5, 4]));
    // In eval mode dropout is the identity, so two passes agree.
    let a = model.head.forward(&x).value().to_vec::<f32>();
    let b = model.head.forward(&x).value().to_vec::<f32>();
    assert_eq!(a, b);
    model.train(true);
    assert!(model.is_training());
}

#[test]
fn freeze_and_unfreeze_select_by_dotted_prefix() {
    let model = zoo();
    assert_eq!(model.freeze("blocks"), 8);
    assert_eq!(model.freeze("blocks.1"), 2);
    let frozen = 8 * 8 + 8;
    let total = model.num_parameters(false);
    assert_eq!(model.num_parameters(true), total - 3 * frozen - (8 * 4 + 4));
    // "head.1" must not select "head.10".
    assert_eq!(model.unfreeze("head.1"), 0);
    assert_eq!(model.unfreeze("blocks.3"), 2);
    assert_eq!(model.unfreeze(""), 18);
    assert_eq!(model.num_parameters(true), total);
}

#[test]
fn to_dtype_casts_floats_and_keeps_integer_buffers() {
    let model = zoo();
    let before = model.named_parameters();
    model.to_dtype(DType::F64);
    for (name, value) in model.state_dict().iter() {
        let expected = if name.ends_with("num_batches_tracked") {
            DType::I64
        } else {
            DType::F64
        };
        assert_eq!(value.dtype(), expected, "{name}");
    }
    // The same Vars were updated in place, so optimizers holding them see the change.
    assert_eq!(before[0].1.value().dtype(), DType::F64);
}

#[test]
fn state_dict_order_and_round_trip_through_a_file() {
    let model = zoo();
    let sd = model.state_dict();
    let names: Vec<&str> = sd.names().collect();
    assert_eq!(names.first(), Some(&"embed.weight"));
    assert!(names.contains(&"head.9.num_batches_tracked"));
    let path = std::env::temp_dir().join(format!("kiln-nn-zoo-{}.safetensors", std::process::id()));
    sd.save(&path).expect("save");
    let other = zoo();
    let report = other
        .load_state_dict(&StateDict::load(&path).expect("load"), true)
        .expect("strict load");
    assert!(report.missing_keys.is_empty() && report.unexpected_keys.is_empty());
    for ((n1, a), (n2, b)) in model.state_dict().iter().zip(other.state_dict().iter()) {
        assert_eq!(n1, n2);
        assert_eq!(a.to_vec::<f64>(), b.to_vec::<f64>(), "{n1}");
    }
    std::fs::remove_file(path).ok();
}

#[test]
fn wrong_shapes_dtypes_and_keys_are_all_reported_and_nothing_is_written() {
    let model = MLP::new(10);
    let before = model.state_dict();
    let mut bad = StateDict::new();
    bad.insert("hidden_layer.weight", Tensor::zeros([64, 11]));
    bad.insert(
        "hidden_layer.bias",
        Tensor::zeros([64]).to_dtype(DType::F64),
    );
    bad.insert("output_layer.weight", Tensor::zeros([2, 64]));
    bad.insert("classifier.weight", Tensor::zeros([2, 64]));
    let err = model.load_state_dict(&bad, true).expect_err("must fail");
    assert_eq!(err.module, "MLP");
    assert_eq!(err.missing_keys, ["output_layer.bias"]);
    assert_eq!(err.unexpected_keys, ["classifier.weight"]);
    assert_eq!(err.mismatched.len(), 2);
    assert_eq!(err.mismatched[0].name, "hidden_layer.weight");
    assert_eq!(err.mismatched[0].expected_shape, [64, 10]);
    assert_eq!(err.mismatched[0].found_shape, [64, 11]);
    assert_eq!(err.mismatched[1].found_dtype, DType::F64);
    let message = err.to_string();
    for needle in [
        "Missing key(s) in state_dict: \"output_layer.bias\"",
        "Unexpected key(s) in state_dict: \"classifier.weight\"",
        "size mismatch for hidden_layer.weight: copying a param with shape [64, 11] from \
         checkpoint, the shape in current model is [64, 10]",
        "dtype mismatch for hidden_layer.bias",
    ] {
        assert!(message.contains(needle), "{message}");
    }
    // Nothing was written, not even the entry that matched.
    for ((_, a), (_, b)) in before.iter().zip(model.state_dict().iter()) {
        assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
    }
    // Non-strict: key problems are reported, shape problems still fail.
    assert!(model.load_state_dict(&bad, false).is_err());
    let mut partial = StateDict::new();
    partial.insert("output_layer.weight", Tensor::ones([2, 64]));
    partial.insert("extra", Tensor::ones([1]));
    let report = model.load_state_dict(&partial, false).expect("non-strict");
    assert_eq!(report.unexpected_keys, ["extra"]);
    assert_eq!(report.missing_keys.len(), 3);
    assert_eq!(
        model.output_layer.weight.value().to_vec::<f32>(),
        vec![1.0; 128]
    );
}

#[test]
fn corrupt_checkpoint_files_are_errors() {
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "kiln-nn-corrupt-{}.safetensors",
        std::process::id()
    ));
    MLP::new(10).state_dict().save(&path).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).expect("write");
        assert!(StateDict::load(&path).is_err(), "truncated at {cut}");
    }
    let mut garbage = bytes.clone();
    garbage[10] = b'{';
    garbage[11] = 0xff;
    std::fs::write(&path, &garbage).expect("write");
    assert!(StateDict::load(&path).is_err());
    std::fs::remove_file(path).ok();
    assert!(StateDict::load(dir.join("kiln-no-such-file.safetensors")).is_err());
}

#[test]
fn module_list_of_boxed_modules() {
    let list: ModuleList = ModuleList::new(vec![
        Box::new(Linear::new(2, 3, true)) as Box<dyn Module>,
        Box::new(ReLU),
    ]);
    assert_eq!(
        list.to_string(),
        "ModuleList(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    );
    let names: Vec<String> = list
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["0.weight", "0.bias"]);
}
