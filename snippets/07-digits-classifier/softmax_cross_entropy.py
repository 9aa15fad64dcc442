# softmax 把模型的输出（logits）变成概率；交叉熵 = −log(正确类别的概率)
import torch
from torch import nn

logits = torch.tensor([[2.0, 1.0, 0.1]])  # 一个样本、3 个类别的原始输出
target = torch.tensor([0])                 # 正确答案是第 0 类

exp = torch.exp(logits)
probs = exp / exp.sum(dim=1, keepdim=True)  # softmax：取指数，再除以总和
print("softmax 概率:", [round(p, 4) for p in probs[0].tolist()], " 总和:", round(probs.sum().item(), 4))
print("手算交叉熵 −log(p[0]):", round(-torch.log(probs[0, 0]).item(), 4))

loss = nn.CrossEntropyLoss()(logits, target)  # 输入 logits 即可：softmax 和 log 已经包含在里面
print("nn.CrossEntropyLoss:", round(loss.item(), 4))

# 猜得越有把握、越正确，损失越小；猜错了，损失就大
for guess in ([5.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 5.0, 0.0]):
    print(f"logits {guess} -> 损失 {nn.CrossEntropyLoss()(torch.tensor([guess]), target).item():.4f}")
