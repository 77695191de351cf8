//! What a person reads while a run goes: the notebook's epoch lines.

use nnlab_app::EngineKind;
use nnlab_core::EpochRecord;

/// The notebook's numpy-section line:
/// `print(f'Epoch {epoch:4d}, Loss: {loss:.4f}, Train Acc: {accuracy_train:.4f}, Test Acc: {accuracy_test:.4f}')`
/// (a regression prints its test loss instead of the accuracies).
pub fn numpy_epoch_line(record: &EpochRecord) -> String {
    format!("Epoch {:4}, {}", record.epoch, metrics(record))
}

/// The notebook's PyTorch-section line (its epoch field is 3 wide, not 4):
/// `print(f'Epoch {epoch:3d}, Loss: {loss.item():.4f}, Train Acc: {train_accuracy.item():.4f}, Test Acc: {test_accuracy.item():.4f}')`.
pub fn torch_epoch_line(record: &EpochRecord) -> String {
    format!("Epoch {:3}, {}", record.epoch, metrics(record))
}

/// "Loss: 0.4633, Train Acc: 0.8387, Test Acc: 0.8400", or "Loss: 0.0397, Test Loss: 0.0565".
pub fn metrics(record: &EpochRecord) -> String {
    match (
        record.train_accuracy,
        record.test_accuracy,
        record.test_loss,
    ) {
        (Some(train), Some(test), _) => format!(
            "Loss: {:.4}, Train Acc: {train:.4}, Test Acc: {test:.4}",
            record.loss
        ),
        (_, _, Some(test_loss)) => format!("Loss: {:.4}, Test Loss: {test_loss:.4}", record.loss),
        _ => format!("Loss: {:.4}", record.loss),
    }
}

/// The notebook's epoch line for the engine's section.
pub fn epoch_line(engine: EngineKind, record: &EpochRecord) -> String {
    match engine {
        EngineKind::Manual => numpy_epoch_line(record),
        EngineKind::Autograd => torch_epoch_line(record),
    }
}
