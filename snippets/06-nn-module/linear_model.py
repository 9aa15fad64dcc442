# 用 nn.Module 定义线性模型 y = w·x + b：参数由 nn.Linear 创建和管理
import torch
from torch import nn

torch.manual_seed(0)  # nn.Linear 的初始参数是随机的，固定种子让每次运行都一样


class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)  # 输入 1 个特征，输出 1 个值：内部有 weight 和 bias

    def forward(self, x):
        return self.linear(x)  # 调用 model(x) 时，PyTorch 会调用 forward


model = LinearModel()
print(model)

# parameters()：优化器要更新的张量，都已经设置了 requires_grad=True
for name, param in model.named_parameters():
    print(f"{name}: 形状 {tuple(param.shape)}, 值 {param.item():.4f}, requires_grad={param.requires_grad}")

# state_dict()：名字到张量的字典，含参数和缓冲区（这个模型没有缓冲区），保存和加载模型用的就是它
print(model.state_dict())

x = torch.tensor([[1.0], [2.0], [3.0]])  # 3 个样本，每个 1 个特征：形状 (3, 1)
print("训练前的预测:", [round(v, 4) for v in model(x).detach().squeeze(1).tolist()])
