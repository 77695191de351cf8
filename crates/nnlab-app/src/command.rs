//! The `nnlab train` command line of a [`RunConfig`]: the flags that make `nnlab train` resolve to
//! the same config, so that the command reproduces the run bit for bit (the playground's replay
//! box). Flags at their defaults are left out; numbers are written in Rust's shortest form that
//! reads back to the same f64.

use crate::config::{RunConfig, TestSizeValue};
use crate::options::{DeviceArg, DtypeArg, EngineKind, InitKind};

impl RunConfig {
    /// The arguments after `nnlab train` (the program name not included).
    pub fn train_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut flag = |name: &str, value: String| {
            args.push(format!("--{name}"));
            if !value.is_empty() {
                args.push(value);
            }
        };
        let list = |values: &mut dyn Iterator<Item = String>| values.collect::<Vec<_>>().join(",");
        match (&self.data, self.dataset) {
            (Some(path), _) => flag("data", path.display().to_string()),
            (None, dataset) => {
                if let Some(dataset) = dataset {
                    flag("dataset", dataset.name().to_string());
                }
                if let Some(samples) = self.samples.filter(|&n| n != 1000) {
                    flag("samples", samples.to_string());
                }
                let numbers = [
                    ("noise", self.noise),
                    ("factor", self.factor),
                    ("cluster-std", self.cluster_std),
                ];
                for (name, value) in numbers {
                    if let Some(value) = value {
                        flag(name, number(value));
                    }
                }
                let counts = [
                    ("centers", self.centers),
                    ("features", self.features),
                    ("classes", self.classes),
                ];
                for (name, value) in counts {
                    if let Some(value) = value {
                        flag(name, value.to_string());
                    }
                }
                if self.no_shuffle == Some(true) {
                    flag("no-shuffle", String::new());
                }
            }
        }
        if let Some(inputs) = &self.inputs {
            flag("inputs", inputs.join(","));
        }
        match self.test_size {
            Some(TestSizeValue::Fraction(share)) if share != 0.2 => {
                flag("test-size", number(share))
            }
            Some(TestSizeValue::Count(count)) => flag("test-size", count.to_string()),
            Some(TestSizeValue::Fraction(_)) if self.data.is_some() => {
                flag("test-size", "0.2".into()) // not the file's split column
            }
            _ => {}
        }
        if self.seed != 42 {
            flag("seed", self.seed.to_string());
        }
        let seeds = [
            ("data-seed", self.data_seed),
            ("split-seed", Some(self.split_seed)),
            ("init-seed", Some(self.init_seed)),
        ];
        for (name, seed) in seeds {
            if let Some(seed) = seed.filter(|&s| s != self.seed) {
                flag(name, seed.to_string());
            }
        }
        if self.hidden != [8] {
            flag(
                "hidden",
                list(&mut self.hidden.iter().map(usize::to_string)),
            );
        }
        if self.activation != "relu" {
            flag("activation", self.activation.clone());
        }
        if self.lr != 0.1 {
            flag("lr", number(self.lr));
        }
        if !self.lr_at.is_empty() {
            let changes = self
                .lr_at
                .iter()
                .map(|c| format!("{}={}", c.epoch, number(c.lr)));
            flag("lr-at", list(&mut changes.into_iter()));
        }
        flag("epochs", self.epochs.to_string());
        if let Some(task) = self.task {
            flag("task", task.name().to_string());
        }
        if let Some(size) = self.batch_size {
            flag("batch-size", size.to_string());
            if let Some(seed) = self.shuffle_seed.filter(|&s| s != self.seed) {
                flag("shuffle-seed", seed.to_string());
            }
        }
        if self.optimizer != Default::default() {
            flag("optimizer", self.optimizer.name().to_string());
        }
        if let Some(momentum) = self.momentum.filter(|&m| m != 0.0) {
            flag("momentum", number(momentum));
        }
        if self.nesterov {
            flag("nesterov", String::new());
        }
        if let Some(betas) = self.betas.filter(|b| (b.0, b.1) != (0.9, 0.999)) {
            flag("betas", format!("{},{}", number(betas.0), number(betas.1)));
        }
        if let Some(eps) = self.eps.filter(|&e| e != 1e-8) {
            flag("eps", number(eps));
        }
        if let Some(decay) = self
            .weight_decay
            .filter(|&d| d != self.optimizer.default_weight_decay())
        {
            flag("weight-decay", number(decay));
        }
        for (name, value) in [("l1", self.l1), ("l2", self.l2)] {
            if value != 0.0 {
                flag(name, number(value));
            }
        }
        if self.engine == EngineKind::Autograd {
            flag("engine", "autograd".into());
        }
        let default_init = match self.engine {
            EngineKind::Manual => InitKind::Notebook,
            EngineKind::Autograd => InitKind::Torch,
        };
        match (&self.init_from, self.init) {
            (Some(path), _) => flag("init-from", path.display().to_string()),
            (None, init) if init != default_init => flag("init", name_of(&init)),
            _ => {}
        }
        let default_dtype = match self.engine {
            EngineKind::Manual => DtypeArg::F64,
            EngineKind::Autograd => DtypeArg::F32,
        };
        if self.dtype != default_dtype {
            flag("dtype", name_of(&self.dtype));
        }
        if self.device != DeviceArg::Cpu {
            flag("device", name_of(&self.device));
        }
        if self.readable {
            flag("readable", String::new());
        }
        if let Some(threads) = self.threads {
            flag("threads", threads.to_string());
        }
        args
    }

    /// `nnlab train` and its arguments as one line for a POSIX shell (arguments quoted where
    /// they need it).
    pub fn train_command(&self) -> String {
        let mut line = String::from("nnlab train");
        for arg in self.train_args() {
            line.push(' ');
            line.push_str(&shell_quote(&arg));
        }
        line
    }
}

/// `x` in the shorter of Rust's two exact forms: `0.1`, `1e-8`, `1e308` (both read back to the
/// same f64; the plain one writes 1e308 with 308 zeros).
fn number(x: f64) -> String {
    let plain = x.to_string();
    let debug = format!("{x:?}");
    if debug.len() < plain.len() {
        debug
    } else {
        plain
    }
}

/// The name an option's value has in files and on the command line (its serde name).
fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("the options serialize as names"),
    }
}

/// `text` as one word for a POSIX shell: as it is when it holds only safe characters, else in
/// single quotes (a quote inside written '\'').
pub fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.,/=:+^".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
