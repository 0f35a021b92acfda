"""The public catalogue as a page would ask for it: keyword filters become a query string (lists repeat the key)."""

from django.http import QueryDict

from catalog.selectors import product_list


def listing(**params):
    data = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return product_list(params=data)
