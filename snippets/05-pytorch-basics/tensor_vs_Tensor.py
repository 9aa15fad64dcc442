import torch

a = torch.Tensor([1])  # 类的构造函数：总是得到默认浮点类型
b = torch.tensor([1])  # 工厂函数：从数据推断类型，整数得到 int64
print(a, a.dtype)
print(b, b.dtype)

c = torch.Tensor(3)  # 参数是形状：长度为 3、未初始化的张量
d = torch.tensor(3)  # 参数是数据：0 维标量
print(c.shape, c.dtype)  # c 的值是内存里原有的内容，不要依赖它
print(d, d.shape, d.dim())
