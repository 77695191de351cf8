//! What the page draws of the network: the output over the data's plane (100 × 100) and every
//! neuron's activation over it (50 × 50), each as bytes 0..255 over a range [lo, hi].
//!
//! The plane is that of the data's own two columns, as TensorFlow Playground draws it: a point
//! (x0, x1) of the map goes through the run's input features and the training rows' scaler, as
//! a row of data would, before it reaches the network.

use base64::Engine as _;
use ndarray::Array2;
use nnlab_app::Prepared;
use nnlab_core::{Engine, Task};
use serde::Serialize;

/// Pixels per side of the output map.
pub const MAP_SIZE: usize = 100;
/// Pixels per side of a neuron's map (every other pixel of the output map's grid) ...
pub const NEURON_SIZE: usize = MAP_SIZE / 2;
/// ... or every fourth, for nets of more than [`MANY_UNITS`] units, so that a frame stays small.
pub const SMALL_NEURON_SIZE: usize = MAP_SIZE / 4;
pub const MANY_UNITS: usize = 40;

/// The side of each neuron's map for a net with `units` units after its inputs.
pub fn neuron_size(units: usize) -> usize {
    if units > MANY_UNITS {
        SMALL_NEURON_SIZE
    } else {
        NEURON_SIZE
    }
}

/// The square of the plane a map covers: the data's extent and a margin, as equal spans.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Domain {
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
}

impl Domain {
    /// Around the rows of `columns` (two columns), 10% wider than their larger span.
    pub fn around(columns: &Array2<f64>) -> Domain {
        let bounds = |j: usize| {
            let column = columns.column(j);
            let low = column.iter().copied().fold(f64::INFINITY, f64::min);
            let high = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (low, high)
        };
        let ((x0, x1), (y0, y1)) = (bounds(0), bounds(1));
        let half = ((x1 - x0).max(y1 - y0) / 2.0 * 1.1).max(1e-9);
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        Domain {
            x_min: cx - half,
            x_max: cx + half,
            y_min: cy - half,
            y_max: cy + half,
        }
    }

    /// The plane's points of a size × size picture, row by row from the top (largest x1), each
    /// at its pixel's centre.
    pub fn grid(&self, size: usize) -> Array2<f64> {
        let step_x = (self.x_max - self.x_min) / size as f64;
        let step_y = (self.y_max - self.y_min) / size as f64;
        Array2::from_shape_fn((size * size, 2), |(k, j)| {
            let (row, column) = (k / size, k % size);
            match j {
                0 => self.x_min + (column as f64 + 0.5) * step_x,
                _ => self.y_max - (row as f64 + 0.5) * step_y,
            }
        })
    }
}

/// The network's inputs for the map's pixels: the grid through the input features and the
/// scaler. `None` when the data does not have exactly two columns (no plane to draw).
pub fn network_grid(
    prepared: &Prepared,
    inputs: Option<&[String]>,
) -> Option<(Domain, Array2<f64>)> {
    if prepared.columns().ncols() != 2 {
        return None;
    }
    let domain = Domain::around(prepared.columns());
    let mut grid = domain.grid(MAP_SIZE);
    if let Some(names) = inputs {
        let features: Vec<nnlab_data::InputFeature> = names
            .iter()
            .map(|n| n.parse())
            .collect::<Result<_, _>>()
            .ok()?;
        grid = nnlab_data::inputs::apply(&features, &grid).ok()?;
    }
    let grid = prepared.scaler.transform(&grid).ok()?;
    Some((domain, grid))
}

/// One picture: size² bytes, 0 for `lo` and 255 for `hi`, in base64.
#[derive(Clone, Debug, Serialize)]
pub struct Picture {
    pub size: usize,
    pub lo: f64,
    pub hi: f64,
    pub values: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<String>,
}

/// Bytes 0..255 of `values` over [lo, hi] (values outside are clamped; NaN is 0).
pub fn quantize(values: impl Iterator<Item = f64>, lo: f64, hi: f64) -> Vec<u8> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    values
        .map(|v| ((v - lo) / span * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The output map and every neuron's map of `engine` on the grid's rows.
pub struct Maps {
    pub map: Picture,
    pub neurons: Vec<Vec<Picture>>,
}

/// The output map alone: P(class 1), the winning class and its probability, or the value.
pub fn output_map(
    engine: &dyn Engine,
    grid: &Array2<f64>,
    value_range: Option<(f64, f64)>,
) -> Result<Picture, nnlab_core::CoreError> {
    let task = engine.spec().task();
    let outputs = engine.outputs(grid)?;
    let scores = task.scores(outputs.view());
    let map = match task {
        Task::Binary => Picture {
            size: MAP_SIZE,
            lo: 0.0,
            hi: 1.0,
            values: base64(&quantize(scores.iter().copied(), 0.0, 1.0)),
            classes: None,
        },
        Task::Multiclass { classes } => {
            let winners: Vec<u8> = task
                .predict(outputs.view())
                .iter()
                .map(|&k| k.min(255) as u8)
                .collect();
            let chance = 1.0 / classes as f64;
            Picture {
                size: MAP_SIZE,
                lo: chance,
                hi: 1.0,
                values: base64(&quantize(scores.iter().copied(), chance, 1.0)),
                classes: Some(base64(&winners)),
            }
        }
        Task::Regression => {
            let (lo, hi) = value_range.unwrap_or((-1.0, 1.0));
            Picture {
                size: MAP_SIZE,
                lo,
                hi,
                values: base64(&quantize(scores.iter().copied(), lo, hi)),
                classes: None,
            }
        }
    };
    Ok(map)
}

/// Computes the maps; `value_range` is the regression targets' range (the map's colour scale).
pub fn draw(
    engine: &dyn Engine,
    grid: &Array2<f64>,
    value_range: Option<(f64, f64)>,
    neuron_size: usize,
) -> Result<Maps, nnlab_core::CoreError> {
    let map = output_map(engine, grid, value_range)?;
    // Every other (or fourth) row and column of the grid, for the neurons' smaller maps.
    let step = MAP_SIZE / neuron_size;
    let rows: Vec<usize> = (0..neuron_size)
        .flat_map(|r| (0..neuron_size).map(move |c| (step * r) * MAP_SIZE + step * c))
        .collect();
    let small = grid.select(ndarray::Axis(0), &rows);
    let neurons = engine
        .activations(&small)?
        .iter()
        .map(|layer| {
            layer
                .columns()
                .into_iter()
                .map(|unit| {
                    let lo = unit.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = unit.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
                        (lo, hi)
                    } else {
                        (0.0, 0.0)
                    };
                    Picture {
                        size: neuron_size,
                        lo,
                        hi,
                        values: base64(&quantize(unit.iter().copied(), lo, hi)),
                        classes: None,
                    }
                })
                .collect()
        })
        .collect();
    Ok(Maps { map, neurons })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_runs_from_the_top_left_pixel_centre() {
        let domain = Domain {
            x_min: 0.0,
            x_max: 4.0,
            y_min: -2.0,
            y_max: 2.0,
        };
        let grid = domain.grid(4);
        assert_eq!(grid.row(0).to_vec(), vec![0.5, 1.5]); // top left: x min, y max
        assert_eq!(grid.row(3).to_vec(), vec![3.5, 1.5]); // top right
        assert_eq!(grid.row(15).to_vec(), vec![3.5, -1.5]); // bottom right
    }

    #[test]
    fn quantize_maps_the_range_onto_bytes() {
        let bytes = quantize([0.0, 0.5, 1.0, 2.0, -1.0, f64::NAN].into_iter(), 0.0, 1.0);
        assert_eq!(bytes, vec![0, 128, 255, 255, 0, 0]);
    }
}
