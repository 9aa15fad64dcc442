# 一个两层的全连接网络（MLP）：64 个像素 → 64 个隐藏单元 → 10 个类别
import matplotlib.pyplot as plt
from matplotlib.ticker import PercentFormatter
import zhplot  # 图里的中文用 zhplot 自带的 Noto Sans SC 字体显示，不依赖系统字体
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

torch.manual_seed(0)
digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    digits.data / 16.0, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
# 交叉熵要求标签是 torch.long（int64）：在任何系统上都写明，不依赖 NumPy 整数的默认宽度
train_set = TensorDataset(torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.long))
x_test, y_test = torch.tensor(x_test, dtype=torch.float32), torch.tensor(y_test, dtype=torch.long)
loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))

# nn.Sequential 把几层按顺序串起来，本身就是一个 nn.Module；ReLU(z) = max(0, z)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

losses, accuracies = [], []
for epoch in tqdm(range(1, 21), desc="训练"):
    model.train()  # 训练模式（这个模型里没有 Dropout 之类在两种模式下表现不同的层）
    total = 0.0
    for images, labels in loader:
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)  # loss 是这一批的平均值，乘回样本数再累加
    model.eval()  # 评估模式；它不会关闭梯度
    with torch.no_grad():  # 关闭梯度的是这一句：评估时不需要计算图
        predicted = model(x_test).argmax(dim=1)  # 概率最大的类别就是预测
    losses.append(total / len(train_set))
    accuracies.append((predicted == y_test).float().mean().item())
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  训练损失 {losses[-1]:.4f}  测试准确率 {accuracies[-1]:.2%}")

correct = int((predicted == y_test).sum())
print(f"测试集: {correct}/{len(y_test)} 张分类正确，准确率 {correct / len(y_test):.2%}")

fig, (ax_loss, ax_acc) = plt.subplots(2, 1, figsize=(5, 5), sharex=True)  # 上下两张图，共用横轴
ax_loss.plot(range(1, 21), losses)
ax_loss.set_ylabel("训练损失（交叉熵）")
ax_acc.plot(range(1, 21), accuracies, color="tab:green")
ax_acc.set_xlabel("训练轮数（epoch）")
ax_acc.set_xticks([1, 5, 10, 15, 20])  # 轮数是整数
ax_acc.set_ylabel("测试准确率")
ax_acc.yaxis.set_major_formatter(PercentFormatter(1.0))  # 0.97 显示成 97%
fig.tight_layout()
plt.show()

wrong = (predicted != y_test).nonzero().squeeze(1)[:10]  # 前 10 张分错的图
fig, axes = plt.subplots(2, 5, figsize=(4.6, 3.2))  # 两行，每行 5 张
for ax, index in zip(axes.flat, wrong.tolist()):
    ax.imshow(x_test[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"标签 {y_test[index].item()}\n预测 {predicted[index].item()}", fontsize=9)
    ax.axis("off")
fig.tight_layout()
plt.show()
