"""The read-only JSON API (/api/v1): every dataset the open-data registry serves by API (civic.opendata.datasets),
a page of rows at a time, and one row by its key, described by an OpenAPI 3.1 document made from the same registry
and the datasets' Table Schemas. An API object is a dataset row, from the dataset's serialiser: the API shows what
the datasets publish, which is what the public pages show."""
