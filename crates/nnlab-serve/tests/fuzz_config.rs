//! No config a page can send breaks the server: any mix of known settings with values of any
//! JSON type or size gets a session (201) or a reason (4xx) — never a 5xx or a panic.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use nnlab_serve::{AppState, Limits};
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

const KEYS: &[&str] = &[
    "dataset",
    "samples",
    "noise",
    "factor",
    "centers",
    "cluster_std",
    "features",
    "classes",
    "no_shuffle",
    "inputs",
    "test_size",
    "seed",
    "data_seed",
    "split_seed",
    "init_seed",
    "hidden",
    "activation",
    "lr",
    "lr_at",
    "epochs",
    "task",
    "batch_size",
    "shuffle_seed",
    "optimizer",
    "momentum",
    "nesterov",
    "betas",
    "eps",
    "weight_decay",
    "l1",
    "l2",
    "engine",
    "init",
    "dtype",
    "readable",
    "device",
    "threads",
    "data",
    "bogus",
];

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

fn config() -> impl Strategy<Value = Value> {
    proptest::collection::vec((proptest::sample::select(KEYS), value()), 1..5).prop_map(|pairs| {
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
