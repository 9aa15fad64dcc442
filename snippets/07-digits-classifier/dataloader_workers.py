# num_workers=2：两个子进程并行准备小批量（batch），主进程专心训练
import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset


def count_samples(loader):
    seen = torch.zeros(len(loader.dataset), dtype=torch.long)
    for indices, _ in loader:
        seen[indices] += 1  # 每个样本在一轮里出现了几次
    return seen


if __name__ == "__main__":  # 用子进程加载数据时，Windows 和 macOS 需要这一行
    digits = load_digits()
    indices = torch.arange(len(digits.target))
    dataset = TensorDataset(indices, torch.tensor(digits.target))
    loader = DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2,
                        generator=torch.Generator().manual_seed(0))
    for epoch in range(2):
        seen = count_samples(loader)
        print(f"epoch {epoch}: {int(seen.sum())} 个样本，每个恰好一次: {bool((seen == 1).all())}")
