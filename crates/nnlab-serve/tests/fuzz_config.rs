//! No config a page can send breaks the server: any mix of settings, with values the CLI takes
//! (three times in four) or of any JSON type or size, gets a session (201) or a reason (4xx) —
//! never a 5xx or a panic. (About a third of the cases make sessions.)

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use nnlab_serve::{AppState, Limits};
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

/// Every setting a page may send, and two it may not.
fn keys() -> Vec<&'static str> {
    let mut keys = nnlab_serve::settings::FIELDS.to_vec();
    keys.extend(["data", "bogus"]);
    keys
}

const WORDS: &[&str] = &[
    "moons",
    "spiral",
    "multi-gauss",
    "blobs",
    "relu",
    "tanh,relu",
    "adam",
    "adamw",
    "sgd",
    "autograd",
    "manual",
    "torch",
    "notebook",
    "f32",
    "f64",
    "cuda",
    "regression",
    "multiclass",
    "binary",
    "x0",
    "sin(x1)",
    "x9",
    "",
    "NaN",
    "-1",
];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..30).prop_map(Value::from),
        prop_oneof![
            Just(-1e300),
            Just(1e300),
            Just(0.0),
            Just(0.5),
            Just(1e-300),
            Just(4294967296.0)
        ]
        .prop_map(Value::from),
        (-2.0f64..3.0).prop_map(Value::from),
        proptest::sample::select(WORDS).prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec((0usize..40, inner), 0..2).prop_map(|pairs| {
                Value::Array(
                    pairs
                        .into_iter()
                        .map(|(e, lr)| json!({"epoch": e, "lr": lr}))
                        .collect(),
                )
            }),
        ]
    })
}

/// A value the setting takes from the CLI (so that many configs make sessions, and their
/// combinations meet each other's checks).
fn plausible(key: &'static str) -> BoxedStrategy<Value> {
    let words = |list: &'static [&'static str]| {
        proptest::sample::select(list).prop_map(Value::from).boxed()
    };
    let int = |low: u64, high: u64| (low..high).prop_map(Value::from).boxed();
    let float = |low: f64, high: f64| (low..high).prop_map(Value::from).boxed();
    match key {
        "dataset" => words(&[
            "moons",
            "circles",
            "blobs",
            "xor",
            "gauss",
            "spiral",
            "plane",
            "multi-gauss",
        ]),
        "samples" => int(2, 3000),
        "noise" | "test_size" => float(0.0, 0.6),
        "factor" => float(0.0, 0.99),
        "centers" | "classes" => int(1, 6),
        "cluster_std" => float(0.1, 3.0),
        "features" => int(1, 4),
        "inputs" => proptest::sample::subsequence(
            vec!["x0", "x1", "x0^2", "x1^2", "x0*x1", "sin(x0)", "sin(x1)"],
            1..4,
        )
        .prop_map(Value::from)
        .boxed(),
        "hidden" => proptest::collection::vec(1u64..10, 1..4)
            .prop_map(Value::from)
            .boxed(),
        "activation" => words(&[
            "relu",
            "tanh",
            "sigmoid",
            "linear",
            "leaky-relu",
            "relu,tanh",
        ]),
        "lr" => float(1e-4, 10.0),
        "epochs" | "batch_size" => int(1, 100),
        "task" => words(&["binary", "multiclass", "regression"]),
        "optimizer" => words(&["sgd", "adam", "adamw"]),
        "momentum" | "weight_decay" | "l1" | "l2" => float(0.0, 0.99),
        "betas" => (0.0f64..0.99, 0.0f64..0.999)
            .prop_map(|(a, b)| json!([a, b]))
            .boxed(),
        "eps" => float(1e-10, 1e-3),
        "engine" => words(&["manual", "autograd"]),
        "init" => words(&["notebook", "torch"]),
        "dtype" => words(&["f32", "f64"]),
        "device" => words(&["cpu", "cuda"]),
        "threads" => int(1, 4),
        key if key.ends_with("seed") => any::<u32>().prop_map(Value::from).boxed(),
        _ => any::<bool>().prop_map(Value::from).boxed(),
    }
}

fn config() -> impl Strategy<Value = Value> {
    let pair = proptest::sample::select(keys()).prop_flat_map(|key| {
        prop_oneof![3 => plausible(key), 1 => value()].prop_map(move |v| (key, v))
    });
    proptest::collection::vec(pair, 1..6).prop_map(|pairs| {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_config_gets_a_session_or_a_reason(config in config()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (status, body) = runtime.block_on(async {
            let state = Arc::new(AppState::new(Limits { max_samples: 2000, ..Limits::default() },
                vec!["127.0.0.1:8080".into()]));
            let app = nnlab_serve::router(state);
            let request = Request::builder().method("POST").uri("/api/sessions")
                .header("host", "127.0.0.1:8080").header("content-type", "application/json")
                .body(Body::from(json!({"config": config}).to_string())).unwrap();
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).to_string())
        });
        prop_assert!(status.as_u16() == 201 || status.is_client_error(), "{config} -> {status} {body}");
        if status.is_client_error() {
            let error: Value = serde_json::from_str(&body).unwrap();
            prop_assert!(error["error"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        }
    }
}
