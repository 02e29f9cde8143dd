//! kiln-nn: modules, layers, losses and pretrained BERT-family models over `kiln-autograd`; not written yet (this crate is empty).
