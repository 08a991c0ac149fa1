from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator


def page_of(items, request, per_page, parameter="sida"):
    """One page of `items` from the query string; a bad number gives the
    first page, one past the end gives the last, never an error."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(parameter, 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(max(1, paginator.num_pages))
