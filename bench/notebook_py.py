"""The notebook's cells as one script, for bench/notebook.py's baseline: data, the numpy section,
the PyTorch section (20 epochs each, as in the notebook), and the figures if matplotlib is there.
Usage: python bench/notebook_py.py OUTDIR"""
import os, sys
import numpy as np, torch, torch.nn as nn, torch.optim as optim
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

out = sys.argv[1]
SEED, EPOCHS, LR = 42, 20, 0.1
np.random.seed(SEED); torch.manual_seed(SEED)
X, Y = make_moons(n_samples=1000, noise=0.125, random_state=42)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.2, random_state=SEED)
scaler = StandardScaler(); X_train_scaled = scaler.fit_transform(X_train); X_test_scaled = scaler.transform(X_test)

W1 = np.random.randn(2, 8) * np.sqrt(2.0 / 2); b1 = np.zeros((1, 8))
W2 = np.random.randn(8, 1) * np.sqrt(1.0 / 8); b2 = np.zeros((1, 1))
def forward(X):
    z1 = np.dot(X, W1) + b1; a1 = np.maximum(0, z1); z2 = np.dot(a1, W2) + b2
    return z1, a1, 1 / (1 + np.exp(-np.clip(z2, -666, 666)))
history = []
for epoch in range(EPOCHS):
    z1, a1, a2 = forward(X_train_scaled); yt = Y_train.reshape(-1, 1); m = len(yt)
    p = np.clip(a2, 1e-12, 1 - 1e-12); loss = -np.mean(yt * np.log(p) + (1 - yt) * np.log(1 - p))
    dz2 = a2 - yt; dW2 = (1 / m) * a1.T @ dz2; db2 = (1 / m) * dz2.sum(0, keepdims=True)
    dz1 = (dz2 @ W2.T) * (z1 > 0); dW1 = (1 / m) * X_train_scaled.T @ dz1; db1 = (1 / m) * dz1.sum(0, keepdims=True)
    W2 -= LR * dW2; b2 -= LR * db2; W1 -= LR * dW1; b1 -= LR * db1
    history.append((loss, np.mean((forward(X_train_scaled)[2] > 0.5).ravel() == Y_train),
                    np.mean((forward(X_test_scaled)[2] > 0.5).ravel() == Y_test)))

net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
nn.init.kaiming_normal_(net[0].weight, nonlinearity="relu"); nn.init.constant_(net[0].bias, 0)
nn.init.xavier_normal_(net[2].weight); nn.init.constant_(net[2].bias, 0)
Xt = torch.FloatTensor(X_train_scaled); Yt = torch.FloatTensor(Y_train).reshape(-1, 1)
crit = nn.BCELoss(); opt = optim.SGD(net.parameters(), lr=LR)
for epoch in range(EPOCHS):
    y_pred = net(Xt); loss = crit(y_pred, Yt); opt.zero_grad(); loss.backward(); opt.step()

if plt is not None:
    plt.scatter(X_train_scaled[:, 0], X_train_scaled[:, 1], c=Y_train, cmap="bwr"); plt.savefig(os.path.join(out, "dataset.png")); plt.close()
    for name in ("numpy", "torch"):
        plt.figure(figsize=(15, 10))
        for k in range(3):
            plt.subplot(2, 2, k + 1); plt.plot([h[min(k, 2)] for h in history])
        plt.savefig(os.path.join(out, f"{name}_training.png")); plt.close()
        xx, yy = np.meshgrid(np.arange(-2.5, 2.6, 0.02), np.arange(-2.6, 2.4, 0.02))
        Z = (forward(np.c_[xx.ravel(), yy.ravel()])[2] > 0.5).reshape(xx.shape)
        plt.figure(figsize=(10, 8)); plt.contourf(xx, yy, Z, alpha=0.8, cmap=plt.cm.RdBu)
        plt.scatter(X_test_scaled[:, 0], X_test_scaled[:, 1], c=Y_test, cmap=plt.cm.RdBu, edgecolors="black", s=30)
        plt.colorbar(); plt.savefig(os.path.join(out, f"{name}_boundary.png")); plt.close()
