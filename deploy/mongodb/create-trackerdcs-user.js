// Run by the mongo image's entrypoint (mongosh) on the first start of an empty volume: the user TrackerDcs
// connects as, with rights on its own database only (run documents and GridFS result files).
const database = process.env.MONGO_TRACKERDCS_DB;
db.getSiblingDB(database).createUser({
  user: process.env.MONGO_TRACKERDCS_USER,
  pwd: process.env.MONGO_TRACKERDCS_PASSWORD,
  roles: [{ role: "readWrite", db: database }],
});
