"""PydanticConverter: a model with a field alias, dumped then loaded back, round-trips (ours); 0.14 cannot load its own dump (ValidationError)."""

from harness import catch, report
from pydantic import BaseModel, Field

from jobify.typeadapter import PydanticConverter


class Item(BaseModel):
    name: str = Field(alias="itemName")
    price: float | None = None


converter = PydanticConverter()
item = Item(itemName="pen", price=None)
dumped = converter.dump(item, Item)
report(
    {
        "dump": dumped,
        "load_own_dump": catch(lambda: converter.load(dumped, Item) == item),
        "load_by_alias": catch(lambda: converter.load({"itemName": "pen"}, Item) == item),
    }
)
