import torch

a = torch.Tensor([1.0])
a.requires_grad = True  # 或者 a.requires_grad_()
print(a)
print(a.data)
print(a.type())        # a 的类型是 tensor
print(a.data.type())   # a.data 的类型也是 tensor
print(a.grad)
print(type(a.grad))
