// zlib headers for deflate/inflate (session payload compression, gzip).
#pragma once
#include <zlib.h>
