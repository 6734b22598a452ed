from piccolo.columns import Serial, Varchar
from piccolo.table import Table


class DummyNote(Table, tablename="dummy_plugin_note"):
    id: Serial
    text = Varchar(length=100)
