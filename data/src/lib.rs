//! kiln-data: `Dataset`, `DataLoader`, samplers and splits over `kiln-tensor`; not written yet (this crate is empty).
