//! What a person reads while a run goes: the notebook's epoch lines.

use nnlab_core::EpochRecord;

/// The notebook's numpy-section line:
/// `print(f'Epoch {epoch:4d}, Loss: {loss:.4f}, Train Acc: {accuracy_train:.4f}, Test Acc: {accuracy_test:.4f}')`.
pub fn numpy_epoch_line(record: &EpochRecord) -> String {
    format!(
        "Epoch {:4}, Loss: {:.4}, Train Acc: {:.4}, Test Acc: {:.4}",
        record.epoch, record.loss, record.train_accuracy, record.test_accuracy
    )
}

/// The notebook's PyTorch-section line (its epoch field is 3 wide, not 4):
/// `print(f'Epoch {epoch:3d}, Loss: {loss.item():.4f}, Train Acc: {train_accuracy.item():.4f}, Test Acc: {test_accuracy.item():.4f}')`.
pub fn torch_epoch_line(record: &EpochRecord) -> String {
    format!(
        "Epoch {:3}, Loss: {:.4}, Train Acc: {:.4}, Test Acc: {:.4}",
        record.epoch, record.loss, record.train_accuracy, record.test_accuracy
    )
}
