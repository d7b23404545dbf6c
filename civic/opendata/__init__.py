"""Open data by default (CRPA L312-1-1): every public record of the site as a dataset, described by a
Table Schema kept in the repository (schemas/), served as CSV and JSON, bundled in a data package, and read
by the API through the same serialisers. The packages that own the records register their datasets."""
