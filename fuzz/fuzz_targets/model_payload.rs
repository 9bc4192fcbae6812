//! The model loader past its checksum: the input is a payload, wrapped in a valid
//! header (magic, version, length, CRC-32), so mutations reach the decoder and the
//! size and value checks behind it. A typed error or a model that predicts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notetag::persist::{FORMAT_VERSION, MAGIC};
use notetag::{Classifier, Error};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(24 + data.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    bytes.extend_from_slice(data);
    match Classifier::from_bytes(&bytes) {
        Ok(m) => {
            let p = m.predict("the central bank raised rates");
            assert!(m.labels().iter().any(|l| l == p.primary()));
            // What loads must save and load back to the same bytes.
            let again = m.to_bytes().unwrap();
            let back = Classifier::from_bytes(&again).unwrap();
            assert_eq!(back.to_bytes().unwrap(), again);
        }
        Err(Error::InvalidModel { .. } | Error::UnsupportedVersion { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
});
