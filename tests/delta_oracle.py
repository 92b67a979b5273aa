"""Torch autograd's delta of the output layer, dE/dnet on the logits: the oracle of the fused out - target lines,
shared by explain's tests and the explorer's."""
import torch


def torch_output_delta(net, X, Y, hidden=torch.tanh):
    """dE/dnet of the output layer, E the mean over the samples of the loss the network minimises: cross-entropy
    with softmax, or binary cross-entropy with sigmoid (mean over the outputs, as Keras'), each as torch defines it
    on the logits; `hidden` the activation of every layer below."""
    a = torch.tensor(X)
    for layer in net.dense_layers[:-1]:
        a = hidden(a @ torch.tensor(layer.W) + torch.tensor(layer.b))
    last = net.dense_layers[-1]
    z = (a @ torch.tensor(last.W) + torch.tensor(last.b)).detach().requires_grad_(True)
    t = torch.tensor(Y)
    if last.activation.name == "softmax":
        E = -(t * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
    else:
        E = torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none").mean(dim=1).mean()
    E.backward()
    return z.grad.numpy()
