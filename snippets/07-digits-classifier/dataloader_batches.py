# DataLoader：把 Dataset 分成小批量（batch），每一轮（epoch）重新打乱顺序
import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
dataset = TensorDataset(torch.tensor(digits.data / 16.0, dtype=torch.float32),
                        torch.tensor(digits.target, dtype=torch.long))

loader = DataLoader(dataset, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
print("一轮有", len(loader), "个小批量")

for epoch in range(2):
    sizes = []
    for images, labels in loader:
        sizes.append(len(labels))
        if len(sizes) == 1:
            print(f"epoch {epoch} 第一个小批量: images {tuple(images.shape)}（{len(labels)} 个样本 × 每个 64 个像素），"
                  f"labels 前 8 个 {labels[:8].tolist()}")
    print(f"epoch {epoch}: {len(sizes)} 个小批量，最后一个有 {sizes[-1]} 个样本，共 {sum(sizes)} 个样本")
