import torch

a = torch.Tensor([1.0])
a.requires_grad = True  # 或者 a.requires_grad_()
print(a)
print(a.data)
print(a.type())        # 张量的数据类型：32 位浮点数的 CPU 张量，即 torch.FloatTensor
print(a.data.type())   # a.data 也是同样类型的张量
print(a.grad)
print(type(a.grad))
