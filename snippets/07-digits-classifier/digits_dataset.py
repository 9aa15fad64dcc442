# Dataset：告诉 PyTorch 一共有多少个样本（__len__），以及第 i 个样本是什么（__getitem__）
import torch
from sklearn.datasets import load_digits
from torch.utils.data import Dataset, TensorDataset


class DigitsDataset(Dataset):
    def __init__(self):
        digits = load_digits()
        self.images = torch.tensor(digits.data / 16.0, dtype=torch.float32)  # 像素 0～16 缩放到 0～1
        self.labels = torch.tensor(digits.target, dtype=torch.long)  # 类别编号要用整数（long）

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]


dataset = DigitsDataset()
image, label = dataset[0]
print("样本数:", len(dataset))
print("第 0 个样本:", image.shape, image.dtype, " 标签:", label.item())

# 数据已经是张量时，TensorDataset 一行就能做同样的事
same = TensorDataset(dataset.images, dataset.labels)
print("TensorDataset 样本数:", len(same), " 第 0 个样本相同:", torch.equal(same[0][0], image))
